import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS } from '../src/runtime-environment.js';
import { type HttpAnswer, httpCall } from './support/http-call.js';
import { FixtureControls, isRunning, supervisedFixture, waitUntilGone } from './support/supervised.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The real runtime: the cli package's `lambda-runtime` bin. */
const realRuntime = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));
const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

interface CliProcess {
  readonly child: ChildProcess;
  readonly origin: Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  output(): string;
  /** Resolves once stdout contains `needle`. */
  waitFor(needle: string | RegExp): Promise<void>;
}

function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR']) if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
    cwd,
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdout += text;
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  const waitFor = (needle: string | RegExp): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (typeof needle === 'string' ? stdout.includes(needle) : needle.test(stdout)) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      check();
    });
  const origin = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`CLI did not report its address: ${stdout}${stderr}`)),
      10_000,
    );
    void waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/).then(() => {
      clearTimeout(timer);
      resolve(/listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? '');
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`CLI exited early: ${stdout}${stderr}`));
    });
  });
  origin.catch(() => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    origin,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => stdout + stderr,
    waitFor,
  };
}

/** What curl does: POST the event to the invoke endpoint. */
function curl(origin: string, event: unknown): Promise<HttpAnswer> {
  return httpCall(origin, INVOKE_PATH, { method: 'POST', body: JSON.stringify(event) });
}

describe('lambda-runtime-emulator CLI', () => {
  const started: CliProcess[] = [];
  let controls: FixtureControls | undefined;

  beforeAll(() => {
    // The CLI is tested as shipped: the compiled dist/cli.js (build first: `tsc -b`).
    expect(existsSync(cli), `${cli} is missing; run tsc -b packages/emulator`).toBe(true);
  });

  afterEach(async () => {
    for (const cliProcess of started.splice(0)) {
      if (cliProcess.child.exitCode === null && cliProcess.child.signalCode === null)
        cliProcess.child.kill('SIGKILL');
      await cliProcess.exit;
    }
    controls?.remove();
    controls = undefined;
  });

  function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliProcess {
    const cliProcess = startCli(args, env, cwd);
    started.push(cliProcess);
    return cliProcess;
  }

  /** The CLI running the supervised fixture, steered through files in `controls`. */
  function runFixture(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    controls ??= new FixtureControls();
    return run(
      [
        '--port',
        '0',
        '--env',
        `FIXTURE_DIR=${controls.dir}`,
        ...args,
        '--',
        process.execPath,
        supervisedFixture,
      ],
      env,
    );
  }

  it('serves the front door for a spawned bootstrap and stops on SIGTERM when started with --port 0', async () => {
    const cliProcess = run(['--port', '0', '--function-name', 'cli-fn', '--', process.execPath, fixture]);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}${INVOKE_PATH}`, { method: 'POST', body: '{"from":"curl"}' });
    const body = (await response.json()) as { event: unknown; headers: Record<string, string> };
    cliProcess.child.kill('SIGTERM');
    const exit = await cliProcess.exit;

    expect(response.status).toBe(200);
    expect(body.event).toEqual({ from: 'curl' });
    expect(body.headers['lambda-runtime-invoked-function-arn']).toBe(
      'arn:aws:lambda:us-east-1:012345678912:function:cli-fn',
    );
    expect(cliProcess.output()).toContain(`curl -X POST '${origin}${INVOKE_PATH}'`);
    expect(cliProcess.output()).toContain('fixture runtime ready');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('stops cleanly on SIGINT and leaves no runtime process behind', async () => {
    const cliProcess = runFixture([]);
    const origin = await cliProcess.origin;
    const { pid } = (await curl(origin, {})).json as { pid: number };

    cliProcess.child.kill('SIGINT');
    const exit = await cliProcess.exit;

    expect(exit).toEqual({ code: 0, signal: null });
    await waitUntilGone(pid);
    expect(isRunning(pid)).toBe(false);
  });

  it('gives the runtime a Managed Instances environment when started with --max-concurrency', async () => {
    const cliProcess = run(['--port', '0', '--max-concurrency', '2', '--', process.execPath, fixture]);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{"action":"env"}',
    });
    const { env } = (await response.json()) as { env: Record<string, string> };

    expect(env.AWS_LAMBDA_MAX_CONCURRENCY).toBe('2');
    expect(env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('lambda-managed-instances');
  });

  it('answers 429 TooManyRequestsException when nothing may queue with --max-queued 0', async () => {
    const cliProcess = run(['--port', '0', '--max-queued', '0']);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{}',
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await response.json()).toMatchObject({ Type: 'User', message: 'Rate Exceeded.' });
  });

  it('prints START, the runtime output, END and REPORT in order, in plain text when stdout is not a terminal', async () => {
    const cliProcess = runFixture(['--memory', '512']);
    const origin = await cliProcess.origin;

    const answer = await curl(origin, { action: 'log' });
    const requestId = answer.headers['x-amzn-requestid'] ?? '';
    await cliProcess.waitFor(`REPORT RequestId: ${requestId}`);

    const text = cliProcess.stdout();
    expect(text).toMatch(
      new RegExp(
        `START RequestId: ${requestId} Version: \\$LATEST\\nhandling log\\nline one\\nline two\\nline three\\nEND RequestId: ${requestId}\\nREPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t\\n`,
      ),
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape codes are the point.
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('colours the lines when FORCE_COLOR is set and not when NO_COLOR is', async () => {
    const coloured = runFixture([], { FORCE_COLOR: '1' });
    const plain = run(['--port', '0', '--', process.execPath, fixture], {
      FORCE_COLOR: undefined,
      NO_COLOR: '1',
    });
    const [colouredOrigin, plainOrigin] = await Promise.all([coloured.origin, plain.origin]);

    const colouredId = (await curl(colouredOrigin, {})).headers['x-amzn-requestid'] ?? '';
    const plainId = (await curl(plainOrigin, {})).headers['x-amzn-requestid'] ?? '';
    await coloured.waitFor(`REPORT RequestId: ${colouredId}`);
    await plain.waitFor(`REPORT RequestId: ${plainId}`);

    expect(coloured.stdout()).toContain(`\u001b[36mSTART RequestId: ${colouredId}`);
    expect(plain.stdout()).toContain(`\nSTART RequestId: ${plainId} Version: $LATEST\n`);
  });

  it('answers an init failure with the error document, and re-initialises once the fixture is fixed', async () => {
    controls = new FixtureControls();
    controls.set('init-error', 'Cannot find module app');
    const cliProcess = runFixture([]);
    const origin = await cliProcess.origin;

    const failed = await curl(origin, {});
    controls.clear('init-error');
    const fixed = await curl(origin, {});

    expect(failed.status).toBe(200);
    expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(failed.json).toEqual({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: 'Cannot find module app',
      stackTrace: [],
    });
    expect(fixed.status).toBe(200);
    expect(fixed.headers['x-amz-function-error']).toBeUndefined();
    expect(fixed.json).toMatchObject({ version: 'v1' });
    expect(cliProcess.child.exitCode).toBeNull();
  });

  it('keeps serving when the runtime exits mid-invoke: Runtime.ExitError, then a new process', async () => {
    const cliProcess = runFixture([]);
    const origin = await cliProcess.origin;

    const crashed = await curl(origin, { action: 'exit', code: 4 });
    const after = await curl(origin, {});

    expect(crashed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(crashed.json).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringContaining('Runtime exited with error: exit status 4'),
    });
    expect(after.status).toBe(200);
    expect(after.headers['x-amz-function-error']).toBeUndefined();
  });

  it('kills the runtime’s process group at --timeout and serves the next invoke from a new process', async () => {
    const cliProcess = runFixture(['--timeout', '1']);
    const origin = await cliProcess.origin;

    const timedOut = await curl(origin, { action: 'child' });
    const childPid = Number(/child (\d+)/.exec(cliProcess.stdout())?.[1]);
    await waitUntilGone(childPid);
    const after = await curl(origin, {});

    expect(timedOut.json).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.headers['x-amzn-requestid']} Error: Task timed out after 1.00 seconds`,
    });
    expect(timedOut.headers['x-amz-function-error']).toBe('Unhandled');
    expect(isRunning(childPid)).toBe(false);
    expect(after.status).toBe(200);
    expect(after.headers['x-amz-function-error']).toBeUndefined();
  });

  it('re-runs an Init that outlasts --init-timeout inside the first invoke (suppressed init)', async () => {
    controls = new FixtureControls();
    controls.set('init-delay-ms', '600');
    const cliProcess = runFixture(['--init-timeout', '0.2']);
    const origin = await cliProcess.origin;

    const answer = await curl(origin, {});

    expect(answer.status).toBe(200);
    expect(answer.headers['x-amz-function-error']).toBeUndefined();
    expect(cliProcess.stdout()).toMatch(
      /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: timeout\t/,
    );
  });

  it('gives the runtime --env, --env-file and --handler variables and fake credentials, never the developer’s', async () => {
    controls = new FixtureControls();
    controls.set('.env', 'TABLE_NAME=from-file\nSTAGE="dev"\n# a comment\nAPI_URL=https://example.test\n');
    const cliProcess = runFixture(
      ['--env-file', `${controls.dir}/.env`, '--env', 'TABLE_NAME=from-flag', '--handler', 'app.handler'],
      { AWS_ACCESS_KEY_ID: 'AKIADEVELOPERKEY', AWS_SECRET_ACCESS_KEY: 'developer-secret', UNRELATED: 'x' },
    );
    const origin = await cliProcess.origin;

    const { env } = (await curl(origin, { action: 'env' })).json as { env: Record<string, string> };

    expect(env).toMatchObject({
      TABLE_NAME: 'from-flag',
      STAGE: 'dev',
      API_URL: 'https://example.test',
      _HANDLER: 'app.handler',
      ...FAKE_CREDENTIALS,
    });
    expect(env).not.toHaveProperty('UNRELATED');
  });

  it('passes the developer’s AWS credentials with --pass-credentials and never prints them', async () => {
    const cliProcess = runFixture(['--pass-credentials'], {
      AWS_ACCESS_KEY_ID: 'AKIADEVELOPERKEY',
      AWS_SECRET_ACCESS_KEY: 'developer-secret-value',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: 'dev',
    });
    const origin = await cliProcess.origin;

    const { env } = (await curl(origin, { action: 'env' })).json as { env: Record<string, string> };
    cliProcess.child.kill('SIGTERM');
    await cliProcess.exit;

    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIADEVELOPERKEY',
      AWS_SECRET_ACCESS_KEY: 'developer-secret-value',
      AWS_PROFILE: 'dev',
    });
    expect(env).not.toHaveProperty('AWS_SESSION_TOKEN');
    expect(cliProcess.output()).not.toContain('developer-secret-value');
  });

  it.each([
    [
      ['--env', 'AWS_REGION=eu-west-1'],
      '--env: AWS_REGION is reserved by Lambda and cannot be set as a function variable; use --region',
    ],
    [
      ['--env', '_HANDLER=x.y'],
      '--env: _HANDLER is reserved by Lambda and cannot be set as a function variable; use --handler',
    ],
    [['--env', 'AWS_SECRET_ACCESS_KEY=hunter2'], 'use --pass-credentials'],
    [['--env', 'NOEQUALS'], '--env: expected KEY=VALUE, got "NOEQUALS" has no "="'],
    [['--env', '1BAD=x'], '--env: "1BAD" is not a valid variable name'],
    [['--memory', '64'], '--memory: must be a whole number of MB from 128 to 10240, got "64"'],
    [['--timeout', '901'], '--timeout: must be a whole number of seconds from 1 to 900, got "901"'],
    [['--region', 'mars'], '--region: "mars" is not an AWS region'],
    [['--function-name', 'bad name'], '--function-name: "bad name" is not a function name'],
    [['--port', 'http'], '--port: must be a whole number from 0 to 65535, got "http"'],
    [['--max-concurrency', '0'], '--max-concurrency: must be a whole number from 1 to 10000, got "0"'],
    [['--max-queued', 'lots'], '--max-queued: must be a whole number from 0 to 1000000, got "lots"'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 with a specific message when given %j', async (args, message) => {
    const cliProcess = run([...args, '--', process.execPath, fixture]);

    const exit = await cliProcess.exit;

    expect(exit.code).toBe(2);
    expect(cliProcess.stderr()).toContain(message);
    expect(cliProcess.stderr()).toContain("Run 'lambda-runtime-emulator --help' for the options.");
    expect(cliProcess.output()).not.toContain('hunter2');
  });

  it('runs the real runtime with the current directory as task root for a bare command: an import error first, the handler once it exists', async () => {
    expect(existsSync(realRuntime), `${realRuntime} is missing; run tsc -b`).toBe(true);
    controls = new FixtureControls();
    const cliProcess = run(
      // A bare command: the task root is the current directory (a path would make it its folder).
      ['--port', '0', '--handler', 'index.handler', '--', 'node', realRuntime],
      {},
      controls.dir,
    );
    const origin = await cliProcess.origin;

    const missing = await curl(origin, {});
    controls.set(
      'index.mjs',
      "export const handler = async (event, context) => { console.log('got', event.orderId); return { ok: true, fn: context.functionName }; };\n",
    );
    const found = await curl(origin, { orderId: 42 });
    const requestId = found.headers['x-amzn-requestid'] ?? '';
    await cliProcess.waitFor(`REPORT RequestId: ${requestId}`);

    expect(missing.status).toBe(200);
    expect(missing.headers['x-amz-function-error']).toBe('Unhandled');
    expect(missing.json).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    expect(found.json).toEqual({ ok: true, fn: 'test_function' });
    const text = cliProcess.stdout();
    const block = text.slice(
      text.indexOf(`START RequestId: ${requestId}`),
      text.indexOf(`END RequestId: ${requestId}`),
    );
    expect(block).toMatch(new RegExp(`\\n\\S+\\t${requestId}\\tINFO\\tgot 42\\n$`));
    expect(text).toMatch(
      /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError\t/,
    );
  });

  it('exits non-zero naming the file when --env-file does not exist', async () => {
    // Node itself looks at --env-file even after the script name and may exit 9 before the CLI runs
    // (nodejs/node#54232); otherwise the CLI's own check exits 2.
    const cliProcess = run(['--env-file', 'missing.env', '--', process.execPath, fixture]);

    const exit = await cliProcess.exit;

    expect([2, 9]).toContain(exit.code);
    expect(cliProcess.stderr()).toContain('missing.env');
  });

  it('prints the usage with every function option when given --help', async () => {
    const cliProcess = run(['--help']);

    const exit = await cliProcess.exit;

    expect(exit.code).toBe(0);
    for (const option of [
      '--env KEY=VALUE',
      '--env-file',
      '--handler',
      '--memory',
      '--timeout',
      '--function-name',
      '--region',
      '--pass-credentials',
      '--init-timeout',
    ]) {
      expect(cliProcess.stdout()).toContain(option);
    }
  });
});
