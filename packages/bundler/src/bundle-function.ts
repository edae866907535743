import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Script } from 'node:vm';
import { build } from 'esbuild';

/** Options of {@link bundleFunction}. */
export interface BundleFunctionOptions {
  /** The function's entry: the file that calls `defaultRuntime(...).run()` (TypeScript or JavaScript). */
  readonly entry: string;
  /**
   * The file the `bootstrap` runs, e.g. `dist/bootstrap.cjs` (`.mjs` works too). Beside it go the
   * bundle (`bootstrap.bundle.cjs`) and its V8 code cache (`bootstrap.bundle.cache`): ship all three.
   */
  readonly outfile: string;
  /** Minify whitespace and syntax (default `true`): less to read at every cold start. */
  readonly minify?: boolean;
  /** Write a linked source map (default `false`); run with `node --enable-source-maps` to use it. */
  readonly sourcemap?: boolean;
  /** Packages to leave out of the bundle and load from `node_modules` at run time. */
  readonly external?: readonly string[];
}

/** What {@link bundleFunction} wrote. */
export interface BundleResult {
  /** The loader the `bootstrap` runs. */
  readonly outfile: string;
  /** The bundled code. */
  readonly bundle: string;
  /** V8's code cache of the bundle, for the Node.js version that built it. */
  readonly codeCache: string;
  /** Size of the bundle in bytes. */
  readonly bytes: number;
  readonly warnings: readonly string[];
}

// The CommonJS module wrapper, so the bundle can be compiled (and cached) as one vm.Script.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

/**
 * Bundles a function, the runtime and every dependency into one file for Node 20, with V8's code
 * cache for it: the shipped build. A cold start then reads one file and skips parsing and compiling
 * it, instead of resolving and loading hundreds of modules, which is most of an unbundled start.
 * If the cache does not fit the Node.js version that runs it, V8 compiles the code as usual.
 *
 * @example
 * ```ts
 * import { bundleFunction } from '@lambda-runtime/bundler';
 * await bundleFunction({ entry: 'src/index.ts', outfile: 'dist/bootstrap.cjs' });
 * // bootstrap: exec node "$(dirname "$0")/dist/bootstrap.cjs"
 * ```
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<BundleResult> {
  const directory = dirname(options.outfile);
  const stem = basename(options.outfile, extname(options.outfile));
  const bundle = join(directory, `${stem}.bundle.cjs`);
  const codeCache = join(directory, `${stem}.bundle.cache`);
  const minify = options.minify ?? true;
  const result = await build({
    entryPoints: [options.entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS, so that the code can be compiled as a vm.Script with a code cache (ES modules cannot
    // be given one on Node 20).
    format: 'cjs',
    // Whitespace and syntax only: identifiers keep their names, so `error.name`, `constructor.name`
    // and stack traces read as in the source (they become errorTypes on the wire), without the
    // per-function cost esbuild's keepNames adds at start-up.
    minifyWhitespace: minify,
    minifySyntax: minify,
    minifyIdentifiers: false,
    sourcemap: options.sourcemap === true ? 'linked' : false,
    // Prefer a package's ESM build when it publishes one.
    mainFields: ['module', 'main'],
    external: [...(options.external ?? [])],
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  await mkdir(directory, { recursive: true });
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'))?.text ?? '';
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  // Compiled here, once, with the Node.js that builds; the loader hands the cache to V8.
  const script = new Script(`${WRAPPER_START}${code}${WRAPPER_END}`, { filename: bundle });
  await writeFile(codeCache, script.createCachedData());
  await writeFile(
    options.outfile,
    loaderSource(basename(bundle), basename(codeCache), extname(options.outfile)),
  );
  return {
    outfile: options.outfile,
    bundle,
    codeCache,
    bytes: Buffer.byteLength(code),
    warnings: result.warnings.map((warning) => warning.text),
  };
}

/** The small file the bootstrap runs: reads the bundle and its cache, compiles with both, runs it. */
function loaderSource(bundle: string, codeCache: string, extension: string): string {
  const body = `const bundle = join(here, ${JSON.stringify(bundle)});
const source = readFileSync(bundle, 'utf8');
let cachedData;
try {
  cachedData = readFileSync(join(here, ${JSON.stringify(codeCache)}));
} catch {
  // No cache: V8 compiles as usual.
}
const script = new Script(${JSON.stringify(WRAPPER_START)} + source + ${JSON.stringify(WRAPPER_END)}, { filename: bundle, cachedData });
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(bundle), bundled, bundle, here);
`;
  if (extension === '.mjs') {
    return `// Generated by @lambda-runtime/bundler.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
${body}`;
  }
  return `// Generated by @lambda-runtime/bundler.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const here = __dirname;
${body}`;
}
