import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { EntryNotRuntimeError } from './entry-not-runtime-error.js';

/** Options of {@link bundleFunction}. */
export interface BundleFunctionOptions {
  /** The function's entry: the file that calls `defaultRuntime(...).run()` (TypeScript or JavaScript). */
  readonly entry: string;
  /**
   * The file the `bootstrap` runs, e.g. `dist/bootstrap.cjs` (`.mjs` works too; a `.js` file is
   * written as ES module or CommonJS to match the nearest `package.json` `type`). Beside it go the
   * bundle (`bootstrap.bundle.cjs`) and its V8 code cache (`bootstrap.bundle.cache`): ship all three.
   */
  readonly outfile: string;
  /** Minify whitespace and syntax (default `true`): less to read at every cold start. */
  readonly minify?: boolean;
  /**
   * Write a linked source map (default `false`). With `--enable-source-maps` (or `NODE_OPTIONS`), the
   * loader then loads the bundle as a module, so stack traces point at the sources; that start
   * skips the code cache.
   */
  readonly sourcemap?: boolean;
  /** Packages to leave out of the bundle and load from `node_modules` at run time. */
  readonly external?: readonly string[];
  /**
   * The project folder (default: the current directory). The bundle names its modules by their
   * path relative to it, so the same project gives the same bytes wherever it is built from.
   */
  readonly root?: string;
  /**
   * The entry's source, when it is generated rather than read from disk: `entry` then only names
   * it, and its imports resolve from `entry`'s folder.
   */
  readonly entryContents?: string;
  /** The Node.js major version the function runs on, for esbuild's syntax target (default 20). */
  readonly nodeMajor?: number;
  /**
   * How to make the V8 code cache. V8 accepts a cache only from the very same V8 build, so make it
   * with the Node.js binary the function runs on:
   * - `'self'` (default): with the Node.js binary running the bundler;
   * - `{ node: '/path/to/node' }`: with that binary (it must run on this machine);
   * - `false`: no cache (the loader then compiles the bundle at every cold start).
   */
  readonly codeCache?: 'self' | { readonly node: string } | false;
  /**
   * Warm the code cache up (default `false`): the process that makes the cache first runs the
   * bundle against a Runtime API of its own for {@link WARM_UP_INVOCATIONS} invocations, so the
   * cache also holds every function the runtime compiles on its way to the first response, not
   * only the top-level code V8 compiles at once. A cold start then compiles almost nothing.
   *
   * No user code may run at build time, so the entry must take part: while
   * `globalThis[Symbol.for('@lambda-runtime/bundler/warm-up-handler')]` holds a function, its
   * initializer must return that function instead of loading the user's handler (the entry
   * `lambda-dev build` generates for a handler name does; {@link WARM_UP_HANDLER} names the key).
   * When the warm-up fails (an entry that does not take part, an init error, 30 s without the
   * invocations), the cache is made cold as without this option, and a warning says why.
   */
  readonly warmUp?: boolean;
  /**
   * Refuse an entry that never loads `@lambda-runtime/core` (default `true`): such a bundle would
   * start, find nothing to run and exit 0, which Lambda reports only as `Runtime.ExitError`.
   */
  readonly requireRuntime?: boolean;
}

/** What {@link bundleFunction} wrote. */
export interface BundleResult {
  /** The loader the `bootstrap` runs. */
  readonly outfile: string;
  /** The bundled code. */
  readonly bundle: string;
  /** V8's code cache of the bundle, or `undefined` when none was made. */
  readonly codeCache: string | undefined;
  /** Size of the bundle in bytes. */
  readonly bytes: number;
  /** Size of the code cache in bytes (0 without one). */
  readonly codeCacheBytes: number;
  /** The code cache holds what the warm-up compiled (`warmUp` was asked for and succeeded). */
  readonly codeCacheWarmed: boolean;
  readonly warnings: readonly string[];
}

// The CommonJS module wrapper, so the bundle can be compiled (and cached) as one vm.Script.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

const execFileAsync = promisify(execFile);

/**
 * Bundles a function, the runtime and every dependency into one file, with V8's code cache for
 * it: the shipped build. A cold start then reads one file and skips parsing and compiling it,
 * instead of resolving and loading hundreds of modules, which is most of an unbundled start.
 * If the cache does not fit the Node.js version that runs it, V8 compiles the code as usual and the
 * loader says so on stderr.
 *
 * @throws {@link EntryNotRuntimeError} when the entry never loads `@lambda-runtime/core`.
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
  const root = resolve(options.root ?? process.cwd());
  const result = await build({
    ...functionBuildOptions({ ...options, bundle, root, minify }),
    logLevel: 'silent',
    metafile: true,
    write: false,
  });
  if ((options.requireRuntime ?? true) && !bundleLoadsRuntime(result.metafile, root)) {
    throw new EntryNotRuntimeError(
      `${options.entry} never loads @lambda-runtime/core, so the bundle would start, run nothing and exit 0. ` +
        'The entry must call defaultRuntime(...).run(); a module that only exports a handler needs an entry ' +
        "that runs it (lambda-dev build <module>.<export> writes one, as the 'lambda-runtime' command would run it)",
    );
  }
  await mkdir(directory, { recursive: true });
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'))?.text ?? '';
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  const cache = options.codeCache ?? 'self';
  const warnings = result.warnings.map((warning) => warning.text);
  let cacheBytes = 0;
  let warmed = false;
  if (cache !== false) {
    const node = cache === 'self' ? process.execPath : cache.node;
    if (options.warmUp === true) {
      try {
        rmSync(codeCache, { force: true });
        await makeCodeCache(node, WARM_CACHE_MAKER, directory, basename(bundle), basename(codeCache));
        if (!isFile(codeCache)) throw new Error('the bundle exited before it served the invocations');
        warmed = true;
      } catch (error) {
        warnings.push(
          `the code cache is not warmed up (the bundle did not serve ${WARM_UP_INVOCATIONS} invocations at build time: ` +
            `${warmUpFailure(error)}); it holds the top-level code only`,
        );
      }
    }
    if (!warmed) await makeCodeCache(node, CACHE_MAKER, directory, basename(bundle), basename(codeCache));
    cacheBytes = statSync(codeCache).size;
  }
  await writeFile(
    options.outfile,
    loaderSource(basename(bundle), basename(codeCache), loaderFormat(options.outfile)),
  );
  return {
    outfile: options.outfile,
    bundle,
    codeCache: cache === false ? undefined : codeCache,
    bytes: Buffer.byteLength(code),
    codeCacheBytes: cacheBytes,
    codeCacheWarmed: warmed,
    warnings,
  };
}

/** What {@link functionBuildOptions} needs: the bundle's options, where it goes and the project root. */
export type FunctionBuildSettings = Pick<
  BundleFunctionOptions,
  'entry' | 'entryContents' | 'minify' | 'sourcemap' | 'external' | 'nodeMajor'
> & {
  /** The bundle file esbuild writes (`<stem>.bundle.cjs` in {@link bundleFunction}). */
  readonly bundle: string;
  /** The project folder, resolved. */
  readonly root: string;
};

/**
 * The esbuild options of a function bundle: one CommonJS file for Node.js, syntax and whitespace
 * minified, identifiers kept. {@link bundleFunction} builds with them once; `lambda-dev watch`
 * gives them to an incremental esbuild context, so what runs locally is built as what ships.
 *
 * @example
 * ```ts
 * const ctx = await context({ ...functionBuildOptions({ entry, bundle, root }), metafile: true });
 * ```
 */
export function functionBuildOptions(settings: FunctionBuildSettings): BuildOptions {
  const minify = settings.minify ?? true;
  return {
    ...(settings.entryContents === undefined
      ? { entryPoints: [settings.entry] }
      : {
          stdin: {
            contents: settings.entryContents,
            resolveDir: dirname(resolve(settings.root, settings.entry)),
            sourcefile: basename(settings.entry),
            loader: 'ts',
          },
        }),
    absWorkingDir: settings.root,
    outfile: settings.bundle,
    bundle: true,
    platform: 'node',
    target: `node${settings.nodeMajor ?? 20}`,
    // CommonJS, so that the code can be compiled as a vm.Script with a code cache (ES modules cannot
    // be given one).
    format: 'cjs',
    // Whitespace and syntax only: identifiers keep their names, so `error.name`, `constructor.name`
    // and stack traces read as in the source (they become errorTypes on the wire), without the
    // per-function cost esbuild's keepNames adds at start-up.
    minifyWhitespace: minify,
    minifySyntax: minify,
    minifyIdentifiers: false,
    sourcemap: settings.sourcemap === true ? 'linked' : false,
    // Prefer a package's ESM build when it publishes one.
    mainFields: ['module', 'main'],
    external: [...(settings.external ?? [])],
    legalComments: 'none',
  };
}

/**
 * The key under which the warm-up puts its stub handler on `globalThis` while it runs a bundle at
 * build time (see `warmUp`): an entry's initializer returns that function instead of loading the
 * user's handler, so no user code runs at build time.
 */
export const WARM_UP_HANDLER: unique symbol = Symbol.for('@lambda-runtime/bundler/warm-up-handler') as never;

/** How many invocations the warm-up serves before the cache is saved: the first one, and the /next after it. */
export const WARM_UP_INVOCATIONS = 2;

/**
 * Runs a cache maker with the target Node.js binary in the bundle's folder. A child process, for
 * two reasons: V8 accepts a cache only from the Node.js build that runs it (so the target's binary
 * makes it), and --predictable makes the bytes the same at every build (V8 otherwise seeds its
 * hashes at random). V8 leaves that flag out of the hash it checks. Nothing from this environment
 * (NODE_OPTIONS flags would change V8's flag hash), and only relative names: V8 keeps traces of
 * the path strings in the cache.
 */
async function makeCodeCache(node: string, maker: string, directory: string, bundle: string, cache: string) {
  await execFileAsync(node, ['--predictable', '-e', maker, bundle, cache, WRAPPER_START, WRAPPER_END], {
    env: {},
    cwd: directory,
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

function warmUpFailure(error: unknown): string {
  const failed = error as { killed?: boolean; stderr?: unknown; message?: unknown };
  if (failed.killed === true) return 'no answer within 30 s';
  const stderr =
    typeof failed.stderr === 'string' ? failed.stderr.trim().split('\n').slice(-3).join(' ') : '';
  return stderr === '' ? String(failed.message) : stderr;
}

// Run by the target Node.js binary in the bundle's folder: compiles the bundle as the loader will and saves V8's cache.
const CACHE_MAKER = `const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
const [bundle, cache, start, end] = process.argv.slice(1);
const script = new Script(start + readFileSync(bundle, 'utf8') + end, { filename: bundle });
writeFileSync(cache, script.createCachedData());`;

// The same, after the bundle has served WARM_UP_INVOCATIONS invocations from a Runtime API on
// 127.0.0.1 in this process, with a stub handler (WARM_UP_HANDLER): V8's cache then also holds the
// functions compiled lazily on the way to the first response. Everything it answers is fixed, so
// the same bundle warms up the same way (and the cache has the same bytes) at every build.
const WARM_CACHE_MAKER = `const { readFileSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');
const [bundle, cache, start, end] = process.argv.slice(1);
const script = new Script(start + readFileSync(bundle, 'utf8') + end, { filename: bundle });
const fail = (message) => { process.stderr.write(message + '\\n'); process.exit(3); };
setTimeout(() => fail('no invocation answered within 25 s'), 25000).unref();
let served = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/2018-06-01/runtime/invocation/next') {
    if (served === ${WARM_UP_INVOCATIONS}) {
      writeFileSync(cache, script.createCachedData());
      process.exit(0);
    }
    served += 1;
    response.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': '00000000-0000-4000-8000-00000000000' + served,
      'lambda-runtime-deadline-ms': '4102444800000',
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:warm-up',
      'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
    });
    response.end('{"warmUp":true}');
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end('{"status":"OK"}');
    if (!request.url.endsWith('/response')) fail(request.method + ' ' + request.url + ': ' + Buffer.concat(chunks).toString('utf8').slice(0, 500));
  });
});
server.listen(0, '127.0.0.1', () => {
  Object.assign(process.env, {
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:' + server.address().port,
    AWS_LAMBDA_FUNCTION_NAME: 'warm-up',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/warm-up',
    AWS_LAMBDA_LOG_STREAM_NAME: 'warm-up',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    LAMBDA_TASK_ROOT: process.cwd(),
    _HANDLER: 'warm-up.handler',
  });
  globalThis[Symbol.for('@lambda-runtime/bundler/warm-up-handler')] = async (event) => ({ event });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(join(process.cwd(), bundle)), module, join(process.cwd(), bundle), process.cwd());
});`;

/**
 * True when any module in the bundle belongs to the `@lambda-runtime/core` package: a bundle that
 * never loads it would start, run nothing and exit 0.
 *
 * @example
 * ```ts
 * const result = await build({ ...functionBuildOptions(options), metafile: true });
 * if (!bundleLoadsRuntime(result.metafile, root)) throw new EntryNotRuntimeError('...');
 * ```
 */
export function bundleLoadsRuntime(metafile: Metafile, root: string): boolean {
  const names = new Map<string, string | undefined>();
  return Object.keys(metafile.inputs).some(
    (input) => packageName(dirname(resolve(root, input)), names) === '@lambda-runtime/core',
  );
}

function packageName(directory: string, seen: Map<string, string | undefined>): string | undefined {
  if (seen.has(directory)) return seen.get(directory);
  let name: string | undefined;
  try {
    name = (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    const parent = dirname(directory);
    name = parent === directory ? undefined : packageName(parent, seen);
  }
  seen.set(directory, name);
  return name;
}

/**
 * The module format Node.js gives the loader file: `.mjs` and `.cjs` say so, a `.js` file follows
 * the nearest `package.json` `type` (a CommonJS loader in a `"type": "module"` folder would fail
 * with `require is not defined`).
 */
function loaderFormat(outfile: string): 'esm' | 'cjs' {
  const extension = extname(outfile);
  if (extension === '.mjs') return 'esm';
  if (extension !== '.js') return 'cjs';
  let current = dirname(resolve(outfile));
  for (;;) {
    const manifest = join(current, 'package.json');
    if (isFile(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module'
          ? 'esm'
          : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    const parent = dirname(current);
    if (parent === current || basename(current) === 'node_modules') return 'cjs';
    current = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The small file the bootstrap runs: reads the bundle and its cache, compiles with both, runs it. */
function loaderSource(bundle: string, codeCache: string, format: 'esm' | 'cjs'): string {
  const body = `const bundle = join(here, ${JSON.stringify(bundle)});
if (process.sourceMapsEnabled === true) {
  // --enable-source-maps applies to modules Node.js loads itself, not to a vm.Script: load the
  // bundle as a module, so stack traces point at the sources (without the code cache).
  createRequire(bundle)(bundle);
} else {
  const source = readFileSync(bundle, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(join(here, ${JSON.stringify(codeCache)}));
  } catch {
    // No cache: V8 compiles as usual.
  }
  const script = new Script(${JSON.stringify(WRAPPER_START)} + source + ${JSON.stringify(WRAPPER_END)}, { filename: bundle, cachedData });
  if (script.cachedDataRejected === true) {
    // Still correct, only slower: say why once per cold start so the build can be fixed.
    process.stderr.write('lambda-runtime: the code cache does not fit this Node.js ' + process.version + ' (made by another build?); compiling the bundle instead\\n');
  }
  const bundled = { exports: {} };
  script.runInThisContext()(bundled.exports, createRequire(bundle), bundled, bundle, here);
}
`;
  if (format === 'esm') {
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
