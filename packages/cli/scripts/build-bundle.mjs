#!/usr/bin/env node
// Builds dist/runtime.bundle.cjs: the command's runtime (dist/main.js and every package it imports,
// third-party ones included) as one CommonJS file, which dist/bin.cjs compiles with V8's code cache.
// Runs after `tsc -b` (the package's prepack, the workspace's `pnpm build`, the cli's test setup).
// esbuild is a build-time tool only: the published command never loads it.
//
//   node packages/cli/scripts/build-bundle.mjs
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = `${dist}main.js`;
const outfile = `${dist}runtime.bundle.cjs`;

/** Bundles dist/main.js into dist/runtime.bundle.cjs; returns the bundle's path. */
export async function buildBundle() {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc -b first`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.18',
    // Whitespace and syntax only: identifiers keep their names, so error names taken from
    // `new.target.name` stay right and stack traces stay readable, without keepNames' cost at start.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    // Code compiled by vm.Script has no import() without an experimental flag: esbuild turns the
    // runtime's own lazy imports into require(), and the handler is imported by bin.cjs.
    supported: { 'dynamic-import': false },
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output');
  // The first line names the bundle's content: bin.cjs accepts only a code cache made for it (V8
  // itself checks the source's length alone).
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const text = `// lambda-runtime bundle ${hash}\n${code}`;
  if (existsSync(outfile) && readFileSync(outfile, 'utf8') === text) return outfile;
  // Through a temporary file: a runtime starting meanwhile reads the old bundle or the new one, never half of one.
  writeFileSync(`${outfile}.tmp`, text);
  renameSync(`${outfile}.tmp`, outfile);
  // Caches made for the previous bundle would be rejected (with a line on stderr) at every start.
  for (const name of readdirSync(dist)) {
    if (/^runtime\.bundle\..+\.cache$/.test(name)) rmSync(`${dist}${name}`, { force: true });
  }
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildBundle();
}
