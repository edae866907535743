import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleFunction } from '../src/index.js';

const entry = fileURLToPath(new URL('./fixtures/function/index.ts', import.meta.url));

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
    expect((await stat(result.codeCache)).size).toBeGreaterThan(0);
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
    await writeFile(result.codeCache, Buffer.from('not a V8 code cache'));

    emulator.spawn({ command: process.execPath, args: [result.outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-2' });
    expect(ok.json()).toEqual({ orderId: 'o-2', requestId: ok.requestId });
  });
});
