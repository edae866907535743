#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { bundleFunction } from './bundle-function.js';

const USAGE = `Usage: lambda-runtime-bundle <entry> <outfile> [options]

Bundles <entry> (the file that calls defaultRuntime(...).run()) with the runtime and its dependencies
into <outfile> (the loader), <stem>.bundle.cjs and <stem>.bundle.cache (V8's code cache).

Options:
  --no-minify          keep whitespace and syntax as written
  --sourcemap          write a linked source map (run node with --enable-source-maps)
  --external <module>  leave a package out of the bundle (repeatable), e.g. a native module
  --no-code-cache      write no code cache
  -h, --help           show this help
`;

let parsed: ReturnType<typeof parse>;
try {
  parsed = parse();
} catch (error) {
  process.stderr.write(
    `lambda-runtime-bundle: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
  );
  process.exit(2);
}
if (parsed.values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const [entry, outfile, ...extra] = parsed.positionals;
if (entry === undefined || outfile === undefined || extra.length > 0) {
  process.stderr.write(`lambda-runtime-bundle: expected <entry> and <outfile>\n\n${USAGE}`);
  process.exit(2);
}

try {
  const result = await bundleFunction({
    entry,
    outfile,
    minify: parsed.values['no-minify'] !== true,
    sourcemap: parsed.values.sourcemap === true,
    external: parsed.values.external ?? [],
    codeCache: parsed.values['no-code-cache'] === true ? false : 'self',
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(
    `${result.outfile}: loads ${result.bundle} (${(result.bytes / 1024).toFixed(1)} KiB)` +
      `${result.codeCache === undefined ? ' without a code cache' : ` with ${result.codeCache}`}\n`,
  );
} catch (error) {
  process.stderr.write(`lambda-runtime-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'no-minify': { type: 'boolean' },
      sourcemap: { type: 'boolean' },
      'no-code-cache': { type: 'boolean' },
      external: { type: 'string', multiple: true },
    },
  });
}
