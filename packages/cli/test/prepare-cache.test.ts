import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installedCommand } from './support/installed-command.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const CACHE_NAME = `runtime.bundle.${process.version}-${process.arch}.cache`;

describe('lambda-runtime --prepare-cache', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** Runs the command once for `cjs.handler`: its answer, and what it wrote to stderr. */
  async function answerOnce(bin: string) {
    const runtime = emulator.spawn({
      command: process.execPath,
      args: [bin, 'cjs.handler'],
      cwd: fixtures,
      env: { LAMBDA_TASK_ROOT: fixtures },
    });
    const result = await emulator.invoke({ n: 1 });
    runtime.kill('SIGTERM');
    await runtime.waitForExit();
    return { result, stderr: runtime.stderr };
  }

  /** The first line of a file (the bundle's content key). */
  function firstLine(file: string): string {
    const text = readFileSync(file, 'latin1');
    return text.slice(0, text.indexOf('\n') + 1);
  }

  it('writes the cache for this Node.js next to the bundle, headed by the bundle key, and says so on stdout', () => {
    const { bin, dist } = installedCommand({ prepareCache: false });

    const run = spawnSync(process.execPath, [bin, '--prepare-cache'], { encoding: 'utf8', timeout: 30_000 });

    const cache = join(dist, CACHE_NAME);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(cache);
    expect(firstLine(cache)).toMatch(/^\/\/ lambda-runtime bundle [0-9a-f]{16}\n$/);
    expect(firstLine(cache)).toBe(firstLine(join(dist, 'runtime.bundle.cjs')));
    expect(statSync(cache).size).toBeGreaterThan(100_000);
    expect(readdirSync(dist).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('runs from a cache V8 accepts, with nothing on stderr, when the cache was prepared', async () => {
    const { bin } = installedCommand({ prepareCache: true });

    const { result, stderr } = await answerOnce(bin);

    expect(result.json()).toEqual({ from: 'cjs.js', event: { n: 1 }, requestId: result.requestId });
    expect(stderr).toBe('');
  });

  it('compiles instead and writes one line to stderr when the cache was made for another bundle', async () => {
    const { bin, dist } = installedCommand({ prepareCache: true });
    const cache = join(dist, CACHE_NAME);
    const data = readFileSync(cache);
    writeFileSync(
      cache,
      Buffer.concat([Buffer.from('// lambda-runtime bundle 0000000000000000\n'), data.subarray(42)]),
    );

    const { result, stderr } = await answerOnce(bin);

    expect(result.json()).toEqual({ from: 'cjs.js', event: { n: 1 }, requestId: result.requestId });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`the code cache ${cache} does not fit`);
  });

  it('compiles instead and writes one line to stderr when V8 rejects the cache (made by another Node.js build)', async () => {
    const { bin, dist } = installedCommand({ prepareCache: true });
    const cache = join(dist, CACHE_NAME);
    const key = firstLine(join(dist, 'runtime.bundle.cjs'));
    const foreign = Buffer.alloc(statSync(cache).size - key.length, 0x5a);
    writeFileSync(cache, Buffer.concat([Buffer.from(key, 'latin1'), foreign]));

    const { result, stderr } = await answerOnce(bin);

    expect(result.json()).toEqual({ from: 'cjs.js', event: { n: 1 }, requestId: result.requestId });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('does not fit this bundle or Node.js');
  });

  it('writes nothing into a read-only package folder and nothing to stderr while it runs', async () => {
    const { bin, dist } = installedCommand({ prepareCache: true });
    const before = readdirSync(dist).map((name) => [name, statSync(join(dist, name)).mtimeMs]);
    chmodSync(dist, 0o555);

    try {
      const { result, stderr } = await answerOnce(bin);

      expect(result.status).toBe('success');
      expect(stderr).toBe('');
      expect(readdirSync(dist).map((name) => [name, statSync(join(dist, name)).mtimeMs])).toEqual(before);
    } finally {
      chmodSync(dist, 0o755);
    }
  });

  it('exits 1 with one line naming the file, and leaves no temporary file, when it cannot write the cache', () => {
    const { bin, dist } = installedCommand({ prepareCache: false });
    // A non-empty directory where the cache goes: the write fails even for root.
    mkdirSync(join(dist, CACHE_NAME, 'occupied'), { recursive: true });

    const run = spawnSync(process.execPath, [bin, '--prepare-cache'], { encoding: 'utf8', timeout: 30_000 });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`lambda-runtime --prepare-cache: cannot write ${join(dist, CACHE_NAME)}`);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readdirSync(dist).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
