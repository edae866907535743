import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildFunction } from '../src/build-function.js';
import { buildCommand } from '../src/commands/build.js';
import { runsHere } from '../src/node-releases.js';
import { captureOutput } from './capture-output.js';
import { readZip } from './zip-reader.js';

const project = fileURLToPath(new URL('./fixtures/project/', import.meta.url));

describe('lambda-dev build options', () => {
  let dir: string;
  let emulator: RuntimeApiEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-dev-options-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** A project with a handler that requires `native-thing`, which requires `helper`: both in node_modules. */
  async function projectWithPackages(): Promise<string> {
    const root = join(dir, 'with-externals');
    const write = async (path: string, text: string) => {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    };
    await write('package.json', JSON.stringify({ name: 'with-externals', private: true }));
    await write(
      'app.cjs',
      "const thing = require('native-thing');\nexports.handler = async () => thing.answer();\n",
    );
    await write(
      'node_modules/native-thing/package.json',
      JSON.stringify({
        name: 'native-thing',
        version: '1.0.0',
        main: 'index.js',
        dependencies: { helper: '1.0.0' },
      }),
    );
    await write(
      'node_modules/native-thing/index.js',
      "exports.answer = () => ({ from: 'native-thing', helper: require('helper').name });\n",
    );
    await write('node_modules/helper/package.json', JSON.stringify({ name: 'helper', version: '1.0.0' }));
    await write('node_modules/helper/index.js', "exports.name = 'helper';\n");
    return root;
  }

  it('leaves --external packages out of the bundle and ships them with their dependencies in node_modules', async () => {
    const root = await projectWithPackages();
    const outDir = join(dir, 'externals-out');

    const built = await buildFunction({ entry: 'app.handler', root, outDir, external: ['native-thing'] });
    emulator.spawn({ command: process.execPath, args: [join(outDir, 'function.cjs')], cwd: outDir });
    const result = await emulator.invoke({});

    expect(readZip(await readFile(built.zip)).map((file) => file.name)).toEqual(
      expect.arrayContaining([
        'node_modules/helper/index.js',
        'node_modules/helper/package.json',
        'node_modules/native-thing/index.js',
        'node_modules/native-thing/package.json',
      ]),
    );
    expect(await readFile(join(outDir, 'function.bundle.cjs'), 'utf8')).toMatch(/require\("native-thing"\)/);
    expect(result.json()).toEqual({ from: 'native-thing', helper: 'helper' });
  }, 120_000); // a first run downloads Node.js (~50 MB) to make the code cache

  it('refuses an --external package the project does not have, with exit 1', async () => {
    const { code, stderr } = await captureOutput(
      () =>
        buildCommand.run([
          'src/orders.handler',
          '--out',
          join(dir, 'no-such'),
          '--external',
          'no-such-package',
        ]),
      project,
    );

    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot find the package 'no-such-package' \(needed by --external\)/);
    await expect(readFile(join(dir, 'no-such', 'function.cjs'))).rejects.toThrow(/ENOENT/);
  });

  it('ships no code cache and says why when the target is an architecture this machine cannot run', async () => {
    const other = runsHere('arm64') ? 'x86_64' : 'arm64';
    const { code, stdout } = await captureOutput(
      () => buildCommand.run(['src/orders.handler', '--out', join(dir, 'other-arch'), '--arch', other]),
      project,
    );
    const names = readZip(await readFile(join(dir, 'other-arch', 'function.zip'))).map((file) => file.name);

    expect(code).toBe(0);
    expect(names).toEqual(['bootstrap', 'function.bundle.cjs', 'function.cjs']);
    expect(stdout).toMatch(new RegExp(`note: no code cache: the ${other} Node.js binary cannot run on this`));
    expect(stdout).toMatch(new RegExp(`lambda-dev layer --arch ${other} --node 24`));
  });

  it('makes the code cache with the given binary, which then accepts it, when given --node-binary', async () => {
    const outDir = join(dir, 'given-node');
    const opt = join(dir, 'given-node-opt');
    await mkdir(opt, { recursive: true });

    const { code, stdout } = await captureOutput(
      () => buildCommand.run(['src/orders.handler', '--out', outDir, '--node-binary', process.execPath]),
      project,
    );
    const runtime = emulator.spawn({
      command: join(outDir, 'bootstrap'),
      cwd: outDir,
      env: { LAMBDA_TASK_ROOT: outDir, LAMBDA_RUNTIME_OPT_DIR: opt, PATH: dirname(process.execPath) },
    });
    const result = await emulator.invoke({ orderId: 'o-given' });

    expect(code).toBe(0);
    expect(stdout).toContain(`code cache made by Node.js ${process.version}`);
    expect(result.json()).toEqual({ orderId: 'o-given', requestId: result.requestId, node: process.version });
    expect(runtime.stderr).not.toMatch(/code cache does not fit/);
  });

  it('refuses --node-binary with exit 2 when the file does not run as Node.js', async () => {
    const notNode = join(dir, 'not-node.sh');
    await writeFile(notNode, '#!/bin/sh\necho v99\n', { mode: 0o755 });

    const { code, stderr } = await captureOutput(
      () =>
        buildCommand.run(['src/orders.handler', '--out', join(dir, 'not-node'), '--node-binary', notNode]),
      project,
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/--node-binary .*not-node\.sh does not run as Node\.js here/);
  });

  it('refuses --node-binary together with --bundle-node, with exit 2', async () => {
    const { code, stderr } = await captureOutput(
      () =>
        buildCommand.run([
          'src/orders.handler',
          '--out',
          join(dir, 'both'),
          '--node-binary',
          process.execPath,
          '--bundle-node',
        ]),
      project,
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/--node-binary and --bundle-node exclude each other/);
  });

  it('refuses to build into a folder that holds a package.json, with exit 2', async () => {
    const { code, stderr } = await captureOutput(
      () => buildCommand.run(['src/orders.handler', '--out', '.']),
      project,
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing to build into .*: it holds a package\.json/);
  });
});
