import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleFunction, EntryNotRuntimeError } from '../src/index.js';

const entry = fileURLToPath(new URL('./fixtures/function/index.ts', import.meta.url));
const handlerOnly = fileURLToPath(new URL('./fixtures/handler-only/index.ts', import.meta.url));
const warmUpEntry = fileURLToPath(new URL('./fixtures/warm-up/index.ts', import.meta.url));
const initFails = fileURLToPath(new URL('./fixtures/init-fails/index.ts', import.meta.url));
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

  it('warms the code cache up without loading the user module, and V8 accepts it, when warmUp is set', async () => {
    const folder = join(dir, 'warm-up');
    await mkdir(folder, { recursive: true });
    const cold = await bundleFunction({ entry: warmUpEntry, outfile: join(folder, 'cold.cjs') });

    const warm = await bundleFunction({
      entry: warmUpEntry,
      outfile: join(folder, 'warm.cjs'),
      warmUp: true,
    });
    const loadedAtBuild = await stat(join(folder, 'user-module-loaded.txt')).then(
      () => true,
      () => false,
    );
    const runtime = emulator.spawn({ command: process.execPath, args: [warm.outfile], cwd: folder });
    const ok = await emulator.invoke({ orderId: 'o-warm' });

    expect(warm.codeCacheWarmed).toBe(true);
    expect(cold.codeCacheWarmed).toBe(false);
    expect(warm.codeCacheBytes).toBeGreaterThan(cold.codeCacheBytes);
    expect(warm.warnings).toEqual([]);
    expect(loadedAtBuild).toBe(false);
    expect(ok.json()).toEqual({ orderId: 'o-warm', requestId: ok.requestId });
    expect(await readFile(join(folder, 'user-module-loaded.txt'), 'utf8')).toBe('loaded\n');
    expect(runtime.stderr).not.toMatch(REJECTED);
  });

  it('makes the same warmed code cache bytes twice for the same bundle', async () => {
    const first = await bundleFunction({
      entry: warmUpEntry,
      outfile: join(dir, 'twice-1', 'fn.cjs'),
      warmUp: true,
    });
    const second = await bundleFunction({
      entry: warmUpEntry,
      outfile: join(dir, 'twice-2', 'fn.cjs'),
      warmUp: true,
    });

    expect(first.codeCacheWarmed && second.codeCacheWarmed).toBe(true);
    expect(await readFile(String(second.codeCache))).toEqual(await readFile(String(first.codeCache)));
  });

  it('falls back to a cold code cache with a warning, and the init error still reaches /init/error (item 30), when the warm-up fails', async () => {
    const result = await bundleFunction({
      entry: initFails,
      outfile: join(dir, 'init-fails.cjs'),
      warmUp: true,
    });

    const runtime = emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: dir });
    const answer = await emulator.invoke({});

    expect(result.codeCacheWarmed).toBe(false);
    expect(result.codeCacheBytes).toBeGreaterThan(0);
    expect(result.warnings).toEqual([expect.stringMatching(/the code cache is not warmed up .*init\/error/)]);
    expect(answer.via).toBe('init-error');
    expect(answer.error).toMatchObject({ errorType: 'ConfigMissingError', errorMessage: 'no configuration' });
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
