#!/usr/bin/env node
// Removes from a package's dist/ the outputs whose source file no longer exists (a module renamed or
// deleted since the last build). `tsc -b` never deletes them, so without this a tarball packed from a
// working tree could ship stale modules and source maps that point at missing sources.
// Only orphans are removed, so a concurrent build or test that reads dist/ is never disturbed.
//
//   node ../../scripts/prune-dist.mjs        (from a package folder; its prepack runs it)
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

export function pruneDist(packageDir) {
  const dist = join(packageDir, 'dist');
  const src = join(packageDir, 'src');
  const removed = [];
  if (!existsSync(dist)) return removed;
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !OUTPUT.test(entry.name)) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const base = join(src, relative(dist, file).replace(OUTPUT, ''));
    if (SOURCE_EXTENSIONS.some((extension) => existsSync(base + extension))) continue;
    rmSync(file);
    removed.push(relative(packageDir, file));
  }
  return removed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of pruneDist(process.cwd())) process.stderr.write(`prune-dist: removed ${file}\n`);
}
