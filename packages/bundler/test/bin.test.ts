import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const entry = fileURLToPath(new URL('./fixtures/function/index.ts', import.meta.url));
const handlerOnly = fileURLToPath(new URL('./fixtures/handler-only/index.ts', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/bin.js ...args` and collects its exit code and output. */
function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

describe('lambda-runtime-bundle', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-runtime-bundle-bin-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its usage on stdout and exits 0 when given --help alone', async () => {
    const result = await run('--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: lambda-runtime-bundle <entry> <outfile>/);
  });

  it('refuses an unknown flag with exit 2 and names it', async () => {
    const result = await run(entry, join(dir, 'x.cjs'), '--minfy');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--minfy'/);
    await expect(stat(join(dir, 'x.cjs'))).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 when the outfile is missing', async () => {
    const result = await run(entry);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected <entry> and <outfile>/);
  });

  it('exits 1 with the reason when the entry never loads the runtime', async () => {
    const result = await run(handlerOnly, join(dir, 'handler-only.cjs'));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/never loads @lambda-runtime\/core/);
  });

  it('bundles and reports the files when given an entry, an outfile and --external', async () => {
    const result = await run(entry, join(dir, 'ok.cjs'), '--external', 'left-out');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /ok\.cjs: loads .*ok\.bundle\.cjs \(\d+\.\d KiB\) with .*ok\.bundle\.cache/,
    );
  });
});
