#!/usr/bin/env node
import { bundleFunction } from './bundle-function.js';

const USAGE = 'usage: lambda-runtime-bundle <entry> <outfile> [--no-minify] [--sourcemap]\n';

const args = process.argv.slice(2);
const positional = args.filter((arg) => !arg.startsWith('--'));
const [entry, outfile] = positional;
if (entry === undefined || outfile === undefined || args.includes('--help')) {
  process.stderr.write(USAGE);
  process.exit(entry === undefined || outfile === undefined ? 2 : 0);
}

try {
  const result = await bundleFunction({
    entry,
    outfile,
    minify: !args.includes('--no-minify'),
    sourcemap: args.includes('--sourcemap'),
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(
    `${result.outfile}: loads ${result.bundle} (${(result.bytes / 1024).toFixed(1)} KiB) with ${result.codeCache}\n`,
  );
} catch (error) {
  process.stderr.write(`lambda-runtime-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
