import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installedCommand, workspaceBin } from './support/installed-command.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const INIT_ERROR_PATH = '/2018-06-01/runtime/init/error';

// The documented entry in the workspace, and the bundle alone (installed-like copy of the command's
// files) with and without the code cache --prepare-cache makes: every case runs through each.
const COMMANDS = [
  { name: 'dist/bin.js', bin: () => workspaceBin },
  { name: 'the bundle with its code cache', bin: () => installedCommand({ prepareCache: true }).bin },
  { name: 'the bundle without a code cache', bin: () => installedCommand({ prepareCache: false }).bin },
];

describe.each(COMMANDS)('lambda-runtime (bin) through $name', (command) => {
  let emulator: RuntimeApiEmulator;
  let bin: string;

  beforeAll(() => {
    bin = command.bin();
  });

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** Starts `node dist/bin.js [spec]` with the fixtures as task root; `_HANDLER` unset unless given. */
  function start(spec: string | undefined, env: Record<string, string | undefined> = {}): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: spec === undefined ? [bin] : [bin, spec],
      cwd: fixtures,
      env: { LAMBDA_TASK_ROOT: fixtures, _HANDLER: undefined, ...env },
    });
  }

  /** Waits for the process to end and returns the one `/init/error` it posted. */
  async function initErrorOf(runtime: SpawnedRuntime) {
    const exit = await runtime.waitForExit();
    const posts = emulator.requests.filter((request) => request.path === INIT_ERROR_PATH);
    expect(posts).toHaveLength(1);
    const post = posts[0];
    if (post === undefined) throw new Error('no /init/error');
    return {
      exit,
      header: post.headers['lambda-runtime-function-error-type'],
      body: JSON.parse(post.body.toString('utf8')) as {
        errorType: string;
        errorMessage: string;
        stackTrace: string[];
      },
    };
  }

  function nextWasCalled(): boolean {
    return emulator.requests.some((request) => request.path.endsWith('/runtime/invocation/next'));
  }

  it('item 2: answers invocations with a CommonJS handler named by the first argument', async () => {
    const runtime = start('cjs.handler');

    const first = await emulator.invoke({ n: 1 });
    const second = await emulator.invoke({ n: 2 });
    runtime.kill('SIGTERM');

    expect(first.status).toBe('success');
    expect(first.json()).toEqual({ from: 'cjs.js', event: { n: 1 }, requestId: first.requestId });
    expect(second.json()).toEqual({ from: 'cjs.js', event: { n: 2 }, requestId: second.requestId });
    expect((await runtime.waitForExit()).code).toBe(0);
  });

  it('item 2: answers invocations with an ES module handler named by _HANDLER when there is no argument', async () => {
    const runtime = start(undefined, { _HANDLER: 'esm/app.handler' });

    const result = await emulator.invoke({ n: 3 });
    runtime.kill('SIGTERM');

    expect(result.status).toBe('success');
    expect(result.json()).toEqual({
      from: 'esm/app.js',
      event: { n: 3 },
      requestId: result.requestId,
      format: 'esm',
    });
    await runtime.waitForExit();
  });

  it('item 2: answers with a nested handler of a .cjs module and with the default export of an .mjs module', async () => {
    const nested = start('nested.api.v1.handler');
    const fromNested = await emulator.invoke({ n: 4 });
    nested.kill('SIGTERM');
    await nested.waitForExit();
    const mjs = start('default-export.handler');

    const fromMjs = await emulator.invoke({ n: 5 });
    mjs.kill('SIGTERM');

    expect(fromNested.json()).toEqual({ from: 'nested.cjs', event: { n: 4 } });
    expect(fromMjs.json()).toEqual({ from: 'default-export.mjs', event: { n: 5 } });
    await mjs.waitForExit();
  });

  it('item 2: streams the response of an unchanged awslambda.streamifyResponse handler', async () => {
    const runtime = start('stream.handler');

    const stream = emulator.invokeStream({ rows: 2 });
    const { body } = await stream.collect();
    const result = await stream.result;
    runtime.kill('SIGTERM');

    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(body.toString()).toBe('rows=2\ndone\n');
    expect(runtime.stderr).toBe('');
    await runtime.waitForExit();
  });

  it('item 2: prefers the argument over _HANDLER when both are given', async () => {
    const runtime = start('other.handler', { _HANDLER: 'cjs.handler' });

    const result = await emulator.invoke({});
    runtime.kill('SIGTERM');

    expect(result.json()).toEqual({ from: 'other.js' });
    await runtime.waitForExit();
  });

  it('item 2: resolves the handler against LAMBDA_TASK_ROOT when the working directory is elsewhere', async () => {
    const runtime = emulator.spawn({
      command: process.execPath,
      args: [bin, 'lib/nested.handler'],
      cwd: tmpdir(),
      env: { LAMBDA_TASK_ROOT: fixtures, _HANDLER: undefined },
    });

    const result = await emulator.invoke({});
    runtime.kill('SIGTERM');

    expect(result.json()).toEqual({ from: 'lib/nested.js' });
    await runtime.waitForExit();
  });

  it('items 2, 3: reports Runtime.ImportModuleError to /init/error, never polls /next and exits 1 when the module is missing', async () => {
    const runtime = start('missing.handler');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.ImportModuleError');
    expect(body.errorType).toBe('Runtime.ImportModuleError');
    expect(body.errorMessage).toContain("Cannot find module 'missing'");
    expect(Array.isArray(body.stackTrace)).toBe(true);
    expect(Object.keys(body).sort()).toEqual(['errorMessage', 'errorType', 'stackTrace']);
    expect(nextWasCalled()).toBe(false);
    expect(exit.code).toBe(1);
  });

  it('items 2, 30: reports the error a module throws at load with its own type, never polls /next and exits 1', async () => {
    const runtime = start('throws-range-error.handler');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('RangeError');
    expect(body.errorType).toBe('RangeError');
    expect(body.errorMessage).toBe('config missing at load');
    expect(body.stackTrace.join('\n')).toContain('throws-range-error.js:1');
    expect(nextWasCalled()).toBe(false);
    expect(exit.code).toBe(1);
  });

  it('items 2, 30: reports a plain Error thrown at load as Error, not wrapped in Runtime.ImportModuleError', async () => {
    const runtime = start('throws.handler');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Error');
    expect(body.errorType).toBe('Error');
    expect(body.errorMessage).toBe('cannot connect to the database at import time');
    expect(exit.code).toBe(1);
  });

  it('items 2, 30: reports the rejection of an async init (top-level await) with its own type', async () => {
    const runtime = start('tla-rejects.handler');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('ConfigError');
    expect(body.errorType).toBe('ConfigError');
    expect(body.errorMessage).toBe('secret not found during async init');
    expect(nextWasCalled()).toBe(false);
    expect(exit.code).toBe(1);
  });

  it('item 2: runs the extensionless module when both precedence and precedence.js exist, as the managed runtime does', async () => {
    const runtime = start('precedence.handler');

    const result = await emulator.invoke({});
    runtime.kill('SIGTERM');

    expect(result.status).toBe('success');
    expect(result.json()).toEqual({ from: 'precedence (extensionless)' });
    await runtime.waitForExit();
  });

  it('items 2, 3: reports Runtime.UserCodeSyntaxError and never polls /next when the module does not parse', async () => {
    const runtime = start('syntax-error/broken.handler');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.UserCodeSyntaxError');
    expect(body.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(body.errorMessage).toContain('SyntaxError');
    expect(body.errorMessage).toContain('broken.js');
    expect(nextWasCalled()).toBe(false);
    expect(exit.code).toBe(1);
  });

  it('item 2: reports Runtime.HandlerNotFound naming handler and module when the export is missing', async () => {
    const runtime = start('cjs.nope');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.HandlerNotFound');
    expect(body.errorType).toBe('Runtime.HandlerNotFound');
    expect(body.errorMessage).toContain('cjs.nope is undefined or not exported');
    expect(body.errorMessage).toContain("module 'cjs'");
    expect(exit.code).toBe(1);
  });

  it('item 2: reports Runtime.HandlerNotFound when the export is not a function', async () => {
    const runtime = start('cjs.notAFunction');

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.HandlerNotFound');
    expect(body.errorMessage).toContain('cjs.notAFunction is not a function');
    expect(exit.code).toBe(1);
  });

  it.each([
    ['cjs', 'it has no dot'],
    ['../fixtures/cjs.handler', 'it contains ..'],
  ])('item 2: reports Runtime.MalformedHandlerName when the handler is %j (%s)', async (spec) => {
    const runtime = start(spec);

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.MalformedHandlerName');
    expect(body.errorType).toBe('Runtime.MalformedHandlerName');
    expect(body.errorMessage).toContain(spec);
    expect(exit.code).toBe(1);
  });

  it('items 2, 3: reports Runtime.MalformedHandlerName and never polls /next when neither argument nor _HANDLER is given', async () => {
    const runtime = start(undefined);

    const { exit, header, body } = await initErrorOf(runtime);

    expect(header).toBe('Runtime.MalformedHandlerName');
    expect(body.errorMessage).toContain('No handler given');
    expect(nextWasCalled()).toBe(false);
    expect(exit.code).toBe(1);
  });

  it('item 2: delivers the init error to a pending invocation when one is queued', async () => {
    const runtime = start('missing.handler');

    const result = await emulator.invoke({});

    expect(result.via).toBe('init-error');
    expect(result.errorType).toBe('Runtime.ImportModuleError');
    expect((await runtime.waitForExit()).code).toBe(1);
  });
});

describe('lambda-runtime --help', () => {
  it('prints the usage and exits 0 without starting a runtime when given --help', () => {
    const result = spawnSync(process.execPath, [workspaceBin, '--help'], {
      encoding: 'utf8',
      timeout: 10_000,
      env: {},
    });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: lambda-runtime [handler]');
  });
});
