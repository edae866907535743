// The shipped build of the echo example, for the `bundled` variant: @lambda-runtime/bundler, exactly
// as a user runs it (`lambda-runtime-bundle src/index.ts dist/bootstrap.cjs`). Run this file to
// build it alone: node bench/build-bundle.mjs [entry] [outfile]
import { fileURLToPath } from 'node:url';
import { bundleFunction } from '@lambda-runtime/bundler';

export { bundleFunction };

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The echo example bundled for the benchmark's `bundled` variant. */
export const ECHO_BUNDLE = {
  entry: here('../examples/echo/src/index.ts'),
  outfile: here('./dist/echo-bootstrap.cjs'),
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = process.argv[2] ?? ECHO_BUNDLE.entry;
  const outfile = process.argv[3] ?? ECHO_BUNDLE.outfile;
  const { bundle, codeCache, bytes, warnings } = await bundleFunction({ entry, outfile });
  for (const warning of warnings) process.stderr.write(`esbuild warning: ${warning}\n`);
  process.stdout.write(`${outfile}: loads ${bundle} (${(bytes / 1024).toFixed(1)} KiB) with ${codeCache}\n`);
}
