import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildFunction } from '../src/build-function.js';
import { buildCommand } from '../src/commands/build.js';
import { nodeBinary } from '../src/node-binary.js';
import { nodeRelease } from '../src/node-releases.js';
import { captureOutput } from './capture-output.js';
import { readZip } from './zip-reader.js';

const project = fileURLToPath(new URL('./fixtures/project/', import.meta.url));

describe('lambda-dev build', () => {
  let dir: string;
  let opt: string;
  let emulator: RuntimeApiEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-dev-build-'));
    // The pinned Node.js 24 as the layer would provide it at /opt/bin/node.
    opt = join(dir, 'opt');
    await mkdir(join(opt, 'bin'), { recursive: true });
    await symlink((await nodeBinary(nodeRelease('x86_64', 24))).node, join(opt, 'bin', 'node'));
  }, 120_000); // a first run downloads Node.js (~50 MB) into the shared cache

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** Builds `entry` from the fixture project into its own folder and starts its bootstrap. */
  async function buildAndSpawn(entry: string, name: string) {
    const outDir = join(dir, name);
    const result = await buildFunction({ entry, root: project, outDir });
    const runtime = emulator.spawn({
      command: join(outDir, 'bootstrap'),
      cwd: outDir,
      env: { LAMBDA_TASK_ROOT: outDir, LAMBDA_RUNTIME_OPT_DIR: opt },
    });
    return { result, runtime };
  }

  it('runs a handler named module.export through the runtime, with errors keeping their type, when given a handler name', async () => {
    const { result, runtime } = await buildAndSpawn('src/orders.handler', 'orders');

    const ok = await emulator.invoke({ orderId: 'o-1' });
    const failed = await emulator.invoke({});

    expect(result.entry.kind).toBe('handler');
    expect(ok.json()).toEqual({ orderId: 'o-1', requestId: ok.requestId, node: 'v24.22.3' });
    expect(failed.error).toMatchObject({ errorType: 'NotAnOrderError', errorMessage: 'orderId is missing' });
    expect(runtime.stderr).not.toMatch(/code cache does not fit/);
  });

  it('walks nested export names, then the default export, as loadHandler does, when given module.a.b', async () => {
    await buildAndSpawn('src/orders.admin.ping', 'nested');

    const result = await emulator.invoke({});

    expect(result.json()).toBe('pong');
  });

  it('runs a callback-style CommonJS handler when the module is a .cjs file', async () => {
    await buildAndSpawn('src/legacy.handler', 'legacy');

    const result = await emulator.invoke({ n: 1 });

    expect(result.json()).toEqual({ legacy: true, echo: { n: 1 } });
  });

  it('reports the error the module throws while loading at init, unchanged, as the lambda-runtime command does', async () => {
    await buildAndSpawn('src/broken.handler', 'broken');

    const result = await emulator.invoke({});

    expect(result.via).toBe('init-error');
    expect(result.error).toMatchObject({ errorType: 'Error', errorMessage: 'no DATABASE_URL' });
  });

  it('reports Runtime.HandlerNotFound at init when the export is falsy', async () => {
    await buildAndSpawn('src/orders.disabled', 'falsy');

    const result = await emulator.invoke({});

    expect(result.error).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    expect(result.error?.errorMessage).toMatch(
      /src\/orders\.disabled is undefined or not exported: module 'src\/orders' \(src\/orders\.ts\)/,
    );
  });

  it('refuses with exit 1 when the handler name only matches a Node.js built-in module', async () => {
    const { code, stderr } = await captureOutput(
      () => buildCommand.run(['events.handler', '--out', join(dir, 'builtin')]),
      project,
    );

    expect(code).toBe(1);
    expect(stderr).toMatch(/'events' is only a Node\.js built-in module/);
  });

  it('reports Runtime.HandlerNotFound at init when the export is missing or not a function', async () => {
    await buildAndSpawn('src/orders.notAFunction', 'not-a-function');

    const result = await emulator.invoke({});

    expect(result.error).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    expect(result.error?.errorMessage).toMatch(
      /src\/orders\.notAFunction is not a function: .* is a value of type number/,
    );
  });

  it('runs an entry file that starts the runtime itself when given a file', async () => {
    const { result } = await buildAndSpawn('src/runtime-entry.ts', 'entry-file');

    const answer = await emulator.invoke({ a: 1 });

    expect(result.entry.kind).toBe('file');
    expect(answer.json()).toEqual({ entry: true, event: { a: 1 }, node: 'v24.22.3' });
  });

  it('writes the same zip bytes twice, sorted, with fixed timestamps and bootstrap at mode 0755, for the same input', async () => {
    const first = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'zip-1'),
    });
    const second = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'zip-2'),
    });

    const bytes = await readFile(first.zip);
    expect(bytes.equals(await readFile(second.zip))).toBe(true);
    const files = readZip(bytes);
    expect(files.map((file) => file.name)).toEqual([
      'bootstrap',
      'function.bundle.cache',
      'function.bundle.cjs',
      'function.cjs',
    ]);
    expect(files.find((file) => file.name === 'bootstrap')).toMatchObject({ madeBy: 3, mode: 0o100755 });
    expect(files.find((file) => file.name === 'function.cjs')).toMatchObject({ madeBy: 3, mode: 0o100644 });
    expect(new Set(files.map((file) => `${file.dosDate}/${file.dosTime}`))).toEqual(
      new Set([`${(0 << 9) | (1 << 5) | 1}/0`]),
    );
    expect(files.find((file) => file.name === 'function.cjs')?.data).toEqual(
      await readFile(join(dir, 'zip-1', 'function.cjs')),
    );
    expect(first.zipBytes).toBe(bytes.length);
  });

  it('prints every file, the artifact and zip sizes and exits 0 when the build succeeds', async () => {
    const out = join(dir, 'printed');

    const { code, stdout, stderr } = await captureOutput(
      () => buildCommand.run(['src/orders.handler', '--out', out, '--arch', 'x86_64', '--node', '24']),
      project,
    );

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/function\.bundle\.cjs +\d+\.\d KiB/);
    expect(stdout).toMatch(/artifact \d+\.\d KiB unzipped; .*function\.zip \d+\.\d KiB/);
    expect((await stat(join(out, 'function.zip'))).size).toBeGreaterThan(0);
  });

  it('refuses with exit 1 and says how to name the export when the file never starts the runtime', async () => {
    const { code, stderr } = await captureOutput(
      () => buildCommand.run(['src/orders.ts', '--out', join(dir, 'refused')]),
      project,
    );

    expect(code).toBe(1);
    expect(stderr).toMatch(/never loads @lambda-runtime\/core.*lambda-dev build <module>\.<export>/s);
    await expect(stat(join(dir, 'refused', 'function.zip'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses with exit 1 when the input is neither a file nor a handler whose module exists', async () => {
    const { code, stderr } = await captureOutput(
      () => buildCommand.run(['src/missing.handler', '--out', join(dir, 'missing')]),
      project,
    );

    expect(code).toBe(1);
    expect(stderr).toMatch(
      /'src\/missing\.handler' is neither a file nor a handler whose module exists: no src\/missing\.js/,
    );
  });

  it('refuses with exit 1 and lists the exports when an ES module has neither the named export nor a default export', async () => {
    const { code, stderr } = await captureOutput(
      () => buildCommand.run(['src/broken.nope', '--out', join(dir, 'nope')]),
      project,
    );

    expect(code).toBe(1);
    expect(stderr).toMatch(
      /src\/broken\.nope: module 'src\/broken' \(src\/broken\.ts\) has no export 'nope' \(it exports 'handler'\), so the function would fail at init/,
    );
  });

  it('prints its usage on stdout and exits 0 when given --help', async () => {
    const { code, stdout } = await captureOutput(() => buildCommand.run(['--help']), project);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: lambda-dev build <entry \| module\.export>/);
  });

  it.each([
    [['src/orders.handler', '--arh', 'arm64'], /Unknown option '--arh'/],
    [['src/orders.handler', '--arch', 'x86'], /--arch must be x86_64 or arm64, not 'x86'/],
    [['src/orders.handler', '--node', '20'], /--node must be 22 or 24, not '20'/],
    [[], /expected one <entry \| module\.export>, got 0/],
  ])('refuses %j with exit 2 and a clear message', async (argv, message) => {
    const { code, stderr } = await captureOutput(() => buildCommand.run(argv), project);

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
