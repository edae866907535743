import {
  chmod,
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { bundleFunction } from '@lambda-runtime/bundler';
import { bootstrapScript } from './bootstrap-script.js';
import { DevToolError } from './dev-tool-error.js';
import {
  checkHandlerExport,
  type FunctionEntry,
  handlerEntrySource,
  resolveFunctionEntry,
} from './function-entry.js';
import { inspectNodeBinary, type NodeBinaryInfo, type NodeBinaryOptions, nodeBinary } from './node-binary.js';
import {
  DEFAULT_NODE_MAJOR,
  type LambdaArchitecture,
  type NodeMajor,
  type NodeRelease,
  nodeRelease,
  runsHere,
} from './node-releases.js';
import { pathExists } from './path-exists.js';
import { writeReproducibleZip, type ZipEntry } from './reproducible-zip.js';

/** Options of {@link buildFunction}. */
export interface BuildFunctionOptions {
  /** A file that calls `defaultRuntime(...).run()`, or a handler name such as `src/orders.handler`. */
  readonly entry: string;
  /** The project directory: entries, handler names and `--external` packages resolve from here. Default: the current directory. */
  readonly root?: string;
  /** Where the artifact goes. Default `dist/lambda` under `root`. */
  readonly outDir?: string;
  /** Default `x86_64`. */
  readonly arch?: LambdaArchitecture;
  /** The Node.js major version that runs the function. Default 24. */
  readonly nodeMajor?: NodeMajor;
  /** Put Node.js into the function zip (`bin/node`) instead of relying on the layer. */
  readonly bundleNode?: boolean;
  /** Packages to keep out of the bundle and copy, with their dependencies, into `node_modules`. */
  readonly external?: readonly string[];
  /** Default `true`. */
  readonly minify?: boolean;
  /** Write and ship a linked source map. Default `false`. */
  readonly sourcemap?: boolean;
  /** Make and ship V8's code cache (default `true` when the target's Node.js runs on this machine). */
  readonly codeCache?: boolean;
  /** Where pinned Node.js binaries are cached and downloaded from. */
  readonly nodeCache?: NodeBinaryOptions;
  /**
   * The Node.js binary the function runs on (any Node.js 20 or later that runs on this machine, for
   * the target's architecture). It makes the code cache, and the bundle's syntax targets the older of
   * its major version and `nodeMajor`. Default: the pinned binary of `nodeMajor`.
   *
   * `nodeMajor` still names the layer the deploy hint points at; the code cache then fits only this
   * binary (any other Node.js compiles the bundle instead, and says so on stderr). Use it for a
   * container image whose Node.js is not a pinned one, or to run the artifact locally (benchmarks)
   * with the same binary that made the cache: put it first on `PATH`, or at
   * `$LAMBDA_RUNTIME_OPT_DIR/bin/node`. Not with `bundleNode`, which ships the pinned binary.
   */
  readonly nodeBinary?: string;
}

/** One file of the artifact. */
export interface ArtifactFile {
  /** Its path in the zip and under `outDir`. */
  readonly name: string;
  readonly bytes: number;
}

/** What {@link buildFunction} wrote. */
export interface BuildResult {
  readonly entry: FunctionEntry;
  readonly outDir: string;
  readonly zip: string;
  readonly zipBytes: number;
  /** Every file in the zip, sorted by name. */
  readonly files: readonly ArtifactFile[];
  /** The sum of `files`: the unzipped size Lambda counts against its 250 MB limit. */
  readonly artifactBytes: number;
  readonly arch: LambdaArchitecture;
  /** The pinned Node.js the artifact is built for (the layer's, or the one in the zip). */
  readonly node: NodeRelease;
  /** The Node.js binary that made the code cache, `undefined` when there is none. */
  readonly codeCacheMadeBy: string | undefined;
  /** That binary's `process.version`, e.g. `v24.22.3`, `undefined` when there is no cache. */
  readonly codeCacheNodeVersion: string | undefined;
  /** Things the user should know, e.g. why there is no code cache. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** The loader's name in the artifact; the bundle and its cache are `function.bundle.cjs` and `.cache`. */
export const LOADER = 'function.cjs';

// What a build owns in its output folder: removed first, so nothing stale is run or shipped.
const OWNED = [
  'bootstrap',
  LOADER,
  'function.bundle.cjs',
  'function.bundle.cjs.map',
  'function.bundle.cache',
  'bin',
  'share',
  'node_modules',
  'function.zip',
];

/**
 * Builds a Lambda function for the `provided.al2023` runtime: the bundle (function, runtime and
 * dependencies in one CommonJS file) with its V8 code cache, a `bootstrap`, optionally Node.js
 * itself and `--external` packages, and a reproducible `function.zip` of all of it.
 *
 * The code cache is made by the pinned Node.js binary of the target (V8 rejects a cache from any
 * other build), downloaded once into the cache, or by `nodeBinary` when given. For a target this
 * machine cannot run (arm64 on x86_64, or any Linux binary on macOS), the artifact has no cache and
 * a note says so.
 *
 * @throws {@link DevToolError} `ERR_ENTRY` for an input that is neither a runtime entry nor a
 * handler name, `ERR_EXTERNAL`, `ERR_NODE_DOWNLOAD`, `ERR_NODE_INTEGRITY`; `ERR_USAGE` for a
 * `nodeBinary` that does not run here, is older than Node.js 20, is for another architecture, or
 * comes with `bundleNode`;
 * `EntryNotRuntimeError` (from `@lambda-runtime/bundler`) for a file that never starts the runtime.
 *
 * @example
 * ```ts
 * const result = await buildFunction({ entry: 'src/orders.handler', arch: 'arm64' });
 * console.log(result.zip, result.zipBytes);
 * ```
 */
export async function buildFunction(options: BuildFunctionOptions): Promise<BuildResult> {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? join('dist', 'lambda'));
  const arch = options.arch ?? 'x86_64';
  const major = options.nodeMajor ?? DEFAULT_NODE_MAJOR;
  const release = nodeRelease(arch, major);
  const given = options.nodeBinary === undefined ? undefined : await givenNodeBinary(options, arch);
  const entry = resolveFunctionEntry(options.entry, root);
  if (entry.kind === 'handler') await checkHandlerExport(entry, root);
  for (const name of options.external ?? []) {
    if ((await packageDirectory(name, root)) === undefined) {
      throw new DevToolError(
        'ERR_EXTERNAL',
        `cannot find the package '${name}' (needed by --external): install it in the project`,
      );
    }
  }
  await prepareOutDir(outDir);
  const notes: string[] = [];

  let cacheNode: string | undefined;
  let cacheNodeVersion: string | undefined;
  if (options.codeCache === false) {
    notes.push('no code cache (--no-code-cache): each cold start compiles the bundle');
  } else if (given !== undefined) {
    cacheNode = given.node;
    cacheNodeVersion = given.version;
    if (given.version !== `v${release.version}`) {
      notes.push(
        `the code cache is made by Node.js ${given.version} (--node-binary): it fits that binary only, ` +
          `not the Node.js ${release.version} layer, which compiles the bundle instead`,
      );
    }
  } else if (runsHere(arch)) {
    cacheNode = (await nodeBinary(release, options.nodeCache)).node;
    cacheNodeVersion = `v${release.version}`;
  } else {
    notes.push(
      `no code cache: the ${arch} Node.js binary cannot run on this ${process.platform}/${process.arch} machine to make one, ` +
        'and V8 accepts a cache only from the very Node.js build that runs it. Each cold start compiles the bundle instead; ' +
        `build on an ${arch} Linux machine (CI runner, Graviton, Docker --platform linux/${arch === 'arm64' ? 'arm64' : 'amd64'}) to ship one`,
    );
  }

  {
    const bundled = await bundleFunction({
      root,
      // A generated entry gets a fixed name in the project, so the bundle's bytes do not depend on a temporary path.
      ...(entry.kind === 'handler'
        ? { entry: join(root, 'lambda-dev-handler-entry.ts'), entryContents: handlerEntrySource(entry, root) }
        : { entry: entry.file }),
      outfile: join(outDir, LOADER),
      minify: options.minify ?? true,
      sourcemap: options.sourcemap ?? false,
      external: options.external ?? [],
      // The binary that runs the function may be older than the layer's: its syntax decides.
      nodeMajor: given === undefined ? major : Math.min(major, given.major),
      codeCache: cacheNode === undefined ? false : { node: cacheNode },
    });
    const entries: ZipEntry[] = [];
    const add = (name: string, mode = 0o644) => entries.push({ name, source: join(outDir, name), mode });

    await writeFile(
      join(outDir, 'bootstrap'),
      bootstrapScript({
        loader: LOADER,
        bundledNode: options.bundleNode === true,
        layerHint: `lambda-dev layer --arch ${arch} --node ${major}`,
      }),
    );
    await chmod(join(outDir, 'bootstrap'), 0o755);
    add('bootstrap', 0o755);
    add(LOADER);
    add('function.bundle.cjs');
    if (options.sourcemap === true) add('function.bundle.cjs.map');
    if (bundled.codeCache !== undefined) add('function.bundle.cache');

    if (options.bundleNode === true) {
      const binary = await nodeBinary(release, options.nodeCache);
      await mkdir(join(outDir, 'bin'), { recursive: true });
      await copyFile(binary.node, join(outDir, 'bin', 'node'));
      await chmod(join(outDir, 'bin', 'node'), 0o755);
      add('bin/node', 0o755);
      await mkdir(join(outDir, 'share', 'doc', 'node'), { recursive: true });
      await copyFile(binary.license, join(outDir, 'share', 'doc', 'node', 'LICENSE'));
      add('share/doc/node/LICENSE');
    }

    for (const file of await copyExternals(options.external ?? [], root, outDir)) entries.push(file);

    const zip = join(outDir, 'function.zip');
    const zipBytes = await writeReproducibleZip(zip, entries);
    const files = await Promise.all(
      entries
        .map((file) => file.name)
        .sort()
        .map(async (name) => ({ name, bytes: (await stat(join(outDir, name))).size })),
    );
    return {
      entry,
      outDir,
      zip,
      zipBytes,
      files,
      artifactBytes: files.reduce((sum, file) => sum + file.bytes, 0),
      arch,
      node: release,
      codeCacheMadeBy: cacheNode,
      codeCacheNodeVersion: cacheNodeVersion,
      notes,
      warnings: bundled.warnings,
    };
  }
}

/** `options.nodeBinary`, checked: it runs here, is Node.js 20 or later, for `arch`, without `bundleNode`. */
async function givenNodeBinary(
  options: BuildFunctionOptions,
  arch: LambdaArchitecture,
): Promise<NodeBinaryInfo> {
  if (options.bundleNode === true) {
    throw new DevToolError(
      'ERR_USAGE',
      '--node-binary and --bundle-node exclude each other: --bundle-node ships the pinned Node.js, and the code cache must be made by the binary that runs it',
    );
  }
  const info = await inspectNodeBinary(options.nodeBinary as string);
  const wanted = arch === 'x86_64' ? 'x64' : 'arm64';
  if (info.platform !== 'linux' || info.arch !== wanted) {
    throw new DevToolError(
      'ERR_USAGE',
      `--node-binary ${options.nodeBinary} is Node.js for ${info.platform}/${info.arch}, but the function runs on linux/${wanted} (--arch ${arch})`,
    );
  }
  return info;
}

async function prepareOutDir(outDir: string): Promise<void> {
  // A folder with a package.json is a project, not an output folder: never delete anything there.
  if (await pathExists(join(outDir, 'package.json'))) {
    throw new DevToolError(
      'ERR_USAGE',
      `refusing to build into ${outDir}: it holds a package.json; choose an output folder with --out`,
    );
  }
  await mkdir(outDir, { recursive: true });
  await Promise.all(OWNED.map((name) => rm(join(outDir, name), { recursive: true, force: true })));
}

/**
 * Copies each external package and, transitively, its dependencies (real files, symlinks
 * followed, so pnpm layouts work) into `outDir/node_modules`, and returns their zip entries.
 */
async function copyExternals(names: readonly string[], root: string, outDir: string): Promise<ZipEntry[]> {
  const copied = new Map<string, string>();
  const queue = names.map((name) => ({ name, from: root, optional: false }));
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    if (copied.has(item.name)) continue;
    const directory = await packageDirectory(item.name, item.from);
    if (directory === undefined) {
      if (item.optional) continue;
      throw new DevToolError(
        'ERR_EXTERNAL',
        `cannot find the package '${item.name}' (needed by ${item.from === root ? '--external' : item.from}): install it in the project`,
      );
    }
    copied.set(item.name, directory);
    await cp(directory, join(outDir, 'node_modules', item.name), { recursive: true, dereference: true });
    const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      queue.push({ name: dependency, from: directory, optional: false });
    }
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
      queue.push({ name: dependency, from: directory, optional: true });
    }
  }
  if (copied.size === 0) return [];
  const files = await listFiles(join(outDir, 'node_modules'));
  return Promise.all(
    files.map(async (file) => ({
      name: relative(outDir, file).split(sep).join('/'),
      source: file,
      mode: ((await stat(file)).mode & 0o111) !== 0 ? 0o755 : 0o644,
    })),
  );
}

/** The real directory of package `name` as `require` would find it from `from`, or `undefined`. */
async function packageDirectory(name: string, from: string): Promise<string | undefined> {
  const require = createRequire(join(from, 'package.json'));
  for (const lookups of require.resolve.paths(name) ?? []) {
    const candidate = join(lookups, name);
    if (await pathExists(join(candidate, 'package.json'))) return realpath(candidate);
  }
  return undefined;
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
