import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleFunction, EntryNotRuntimeError } from '../src/index.js';

const entry = fileURLToPath(new URL('./fixtures/function/index.ts', import.meta.url));
const handlerOnly = fileURLToPath(new URL('./fixtures/handler-only/index.ts', import.meta.url));
const REJECTED = /code cache does not fit/;

describe('bundleFunction', () => {
  let dir: string;
  let outfile: string;
  let emulator: RuntimeApiEmulator;

  beforeAll(async () => {
    // Outside the repository: the bundle must not need any node_modules.
    dir = await mkdtemp(join(tmpdir(), 'lambda-runtime-bundle-'));
    outfile = join(dir, 'bootstrap.cjs');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // One emulator per test: each test's runtime must be the only one polling it.
  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('writes a self-contained bundle with its code cache that runs as a bootstrap and keeps error type names', async () => {
    const result = await bundleFunction({ entry, outfile });
    expect(result.bytes).toBeGreaterThan(0);
    expect((await stat(String(result.codeCache))).size).toBe(result.codeCacheBytes);
    expect(result.codeCacheBytes).toBeGreaterThan(0);
    const source = await readFile(result.bundle, 'utf8');
    expect(source).not.toMatch(/require\(["']@lambda-runtime\//);

    emulator.spawn({ command: process.execPath, args: [outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-1' });
    expect(ok.json()).toEqual({ orderId: 'o-1', requestId: ok.requestId });

    const failed = await emulator.invoke({});
    expect(failed.error).toMatchObject({ errorType: 'NotAnOrderError', errorMessage: 'orderId is missing' });
  });

  it('still runs when the code cache does not fit (another Node.js version, a damaged file)', async () => {
    const result = await bundleFunction({ entry, outfile: join(dir, 'damaged.mjs') });
    await writeFile(String(result.codeCache), Buffer.from('not a V8 code cache'));

    const runtime = emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-2' });

    expect(ok.json()).toEqual({ orderId: 'o-2', requestId: ok.requestId });
    expect(runtime.stderr).toMatch(REJECTED);
  });

  it('makes the code cache with the given Node.js binary so that V8 accepts it when codeCache names one', async () => {
    const result = await bundleFunction({
      entry,
      outfile: join(dir, 'child-cache.cjs'),
      codeCache: { node: process.execPath },
    });

    const runtime = emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-3' });
    expect(ok.json()).toEqual({ orderId: 'o-3', requestId: ok.requestId });
    expect(result.codeCacheBytes).toBeGreaterThan(0);
    expect(runtime.stderr).not.toMatch(REJECTED);
  });

  it('writes no code cache and still runs when codeCache is false', async () => {
    const result = await bundleFunction({ entry, outfile: join(dir, 'no-cache.cjs'), codeCache: false });

    const runtime = emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-4' });
    expect(ok.json()).toEqual({ orderId: 'o-4', requestId: ok.requestId });
    expect(result.codeCache).toBeUndefined();
    await expect(stat(join(dir, 'no-cache.bundle.cache'))).rejects.toThrow(/ENOENT/);
    expect(runtime.stderr).not.toMatch(REJECTED);
  });

  it('writes an ES module loader that runs when the .js outfile is in a "type": "module" folder', async () => {
    const folder = join(dir, 'esm-scope');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
    const result = await bundleFunction({ entry, outfile: join(folder, 'bootstrap.js') });

    emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: folder });
    const ok = await emulator.invoke({ orderId: 'o-5' });

    expect(await readFile(result.outfile, 'utf8')).toMatch(/^import /m);
    expect(ok.json()).toEqual({ orderId: 'o-5', requestId: ok.requestId });
  });

  it('writes a CommonJS loader that runs when the .js outfile is in a CommonJS folder', async () => {
    const folder = join(dir, 'cjs-scope');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const result = await bundleFunction({ entry, outfile: join(folder, 'bootstrap.js') });

    emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: folder });
    const ok = await emulator.invoke({ orderId: 'o-6' });

    expect(await readFile(result.outfile, 'utf8')).toMatch(/require\('node:vm'\)/);
    expect(ok.json()).toEqual({ orderId: 'o-6', requestId: ok.requestId });
  });

  it('points stack traces at the sources when built with a source map and run with --enable-source-maps', async () => {
    const result = await bundleFunction({ entry, outfile: join(dir, 'mapped.cjs'), sourcemap: true });

    emulator.spawn({
      command: process.execPath,
      args: [result.outfile],
      cwd: dir,
      env: { NODE_OPTIONS: '--enable-source-maps' },
    });
    const failed = await emulator.invoke({});

    expect(failed.error?.stackTrace?.[1]).toMatch(/fixtures\/function\/index\.ts:\d+:\d+/);
  });

  it('refuses an entry that never loads the runtime, and writes nothing', async () => {
    const outfile = join(dir, 'handler-only.cjs');

    const bundling = bundleFunction({ entry: handlerOnly, outfile });

    await expect(bundling).rejects.toBeInstanceOf(EntryNotRuntimeError);
    await expect(bundling).rejects.toThrow(
      /never loads @lambda-runtime\/core.*lambda-dev build <module>\.<export>/s,
    );
    await expect(stat(outfile)).rejects.toThrow(/ENOENT/);
  });
});
