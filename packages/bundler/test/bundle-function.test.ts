import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../src/index.js';

const entry = fileURLToPath(new URL('./fixtures/function/index.ts', import.meta.url));

describe('bundleFunction', () => {
  let dir: string;
  let outfile: string;
  let emulator: RuntimeApiEmulator;

  beforeAll(async () => {
    // Outside the repository: the bundle must not need any node_modules.
    dir = await mkdtemp(join(tmpdir(), 'lambda-runtime-bundle-'));
    outfile = join(dir, 'bootstrap.mjs');
    emulator = await RuntimeApiEmulator.start();
  });

  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one self-contained file that runs as a bootstrap and keeps error type names', async () => {
    const result = await bundleFunction({ entry, outfile });
    expect(result.bytes).toBeGreaterThan(0);
    const source = await readFile(outfile, 'utf8');
    expect(source).not.toMatch(/from\s*["']@lambda-runtime\//);

    emulator.spawn({ command: process.execPath, args: [outfile], cwd: dir });
    const ok = await emulator.invoke({ orderId: 'o-1' });
    expect(ok.json()).toEqual({ orderId: 'o-1', requestId: ok.requestId });

    const failed = await emulator.invoke({});
    expect(failed.error).toMatchObject({ errorType: 'NotAnOrderError', errorMessage: 'orderId is missing' });
  });
});
