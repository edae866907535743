import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no declarations
import { pruneDist } from '../../scripts/prune-dist.mjs';

describe('pruneDist', () => {
  let dir: string | undefined;

  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the outputs of a deleted source and keeps those of existing sources when packing', () => {
    dir = mkdtempSync(join(tmpdir(), 'prune-dist-'));
    mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
    mkdirSync(join(dir, 'dist', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'src', 'kept.ts'), '');
    writeFileSync(join(dir, 'src', 'nested', 'inner.ts'), '');
    for (const base of ['kept', 'gone', 'nested/inner', 'nested/gone']) {
      for (const extension of ['.js', '.js.map', '.d.ts', '.d.ts.map']) {
        writeFileSync(join(dir, 'dist', `${base}${extension}`), '');
      }
    }
    writeFileSync(join(dir, 'dist', '.tsbuildinfo'), '');

    const removed: string[] = pruneDist(dir);

    expect(removed.sort()).toEqual(
      ['gone', 'nested/gone']
        .flatMap((base) => ['.d.ts', '.d.ts.map', '.js', '.js.map'].map((ext) => join('dist', base + ext)))
        .sort(),
    );
    expect(readdirSync(join(dir, 'dist'), { recursive: true }).map(String).sort()).toEqual(
      [
        '.tsbuildinfo',
        'kept.d.ts',
        'kept.d.ts.map',
        'kept.js',
        'kept.js.map',
        'nested',
        join('nested', 'inner.d.ts'),
        join('nested', 'inner.d.ts.map'),
        join('nested', 'inner.js'),
        join('nested', 'inner.js.map'),
      ].sort(),
    );
  });
});
