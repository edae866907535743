import { stat } from 'node:fs/promises';
import { build } from 'esbuild';

/** Options of {@link bundleFunction}. */
export interface BundleFunctionOptions {
  /** The function's entry: the file that calls `defaultRuntime(...).run()` (TypeScript or JavaScript). */
  readonly entry: string;
  /** The single ESM file to write, e.g. `dist/bootstrap.mjs`. */
  readonly outfile: string;
  /** Minify (default `true`): less to read and parse at every cold start. */
  readonly minify?: boolean;
  /** Write a linked source map (default `false`); run with `node --enable-source-maps` to use it. */
  readonly sourcemap?: boolean;
  /** Packages to leave out of the bundle and load from `node_modules` at run time. */
  readonly external?: readonly string[];
}

/** What {@link bundleFunction} wrote. */
export interface BundleResult {
  readonly outfile: string;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

// CommonJS dependencies (pino, tsyringe, ...) call `require`, which ESM does not define.
const REQUIRE_BANNER = [
  "import { createRequire as __lambdaRuntimeCreateRequire } from 'node:module';",
  'const require = __lambdaRuntimeCreateRequire(import.meta.url);',
].join('\n');

/**
 * Bundles a function, the runtime and every dependency into one minified ESM file for Node 20:
 * the shipped build. One file means one read and one compile instead of resolving and loading
 * hundreds of modules, which is most of an unbundled cold start.
 *
 * @example
 * ```ts
 * import { bundleFunction } from '@lambda-runtime/bundler';
 * await bundleFunction({ entry: 'src/index.ts', outfile: 'dist/bootstrap.mjs' });
 * // bootstrap: exec node "$(dirname "$0")/dist/bootstrap.mjs"
 * ```
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<BundleResult> {
  const result = await build({
    entryPoints: [options.entry],
    // One file: measured, a split bundle (pino in a chunk loaded after the first /next) starts
    // slower, because each extra ESM file costs the loader more than compiling the code it holds.
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Whitespace and syntax only: identifiers keep their names, so `error.name`, `constructor.name`
    // and stack traces read as in the source (they become errorTypes on the wire), without the
    // per-function cost esbuild's keepNames adds at start-up.
    minifyWhitespace: options.minify ?? true,
    minifySyntax: options.minify ?? true,
    minifyIdentifiers: false,
    sourcemap: options.sourcemap === true ? 'linked' : false,
    // Prefer a package's ESM build when it publishes one.
    mainFields: ['module', 'main'],
    external: [...(options.external ?? [])],
    banner: { js: REQUIRE_BANNER },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const { size } = await stat(options.outfile);
  return { outfile: options.outfile, bytes: size, warnings: result.warnings.map((warning) => warning.text) };
}
