import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { bundleLoadsRuntime, functionBuildOptions } from '@lambda-runtime/bundler';
import { type BuildContext, type BuildResult, context, formatMessages, type Plugin } from 'esbuild';
import { type FunctionEntry, handlerEntrySource, resolveFunctionEntry } from './function-entry.js';
import { messageOf } from './message-of.js';

/** Options of {@link FunctionWatcher}. */
export interface FunctionWatcherOptions {
  /** A file that calls `defaultRuntime(...).run()`, or a handler name such as `src/orders.handler`. */
  readonly entry: string;
  /** The project folder. Default: the current directory. */
  readonly root?: string;
  /**
   * Where the bundle is written. Default: a new folder under the project's
   * `node_modules/.cache/lambda-dev/`, removed by {@link FunctionWatcher.close}: inside the project,
   * so what the bundle leaves to `require` at run time (`external` packages) resolves from the
   * project's `node_modules`, as it does from `/var/task` on Lambda.
   */
  readonly outDir?: string;
  /** Packages to leave out of the bundle and load from `node_modules` at run time (native modules). */
  readonly external?: readonly string[];
  /**
   * How long a change must be quiet before it is built, in ms (esbuild's watch `delay`), so an
   * editor that writes a file twice, or a `git checkout` of many files, makes one build. Default 100.
   */
  readonly debounceMs?: number;
  /** Colour in esbuild's messages. Default `false`. */
  readonly colour?: boolean;
  /** Called after every build, good or bad, before {@link onBundle}. */
  readonly onBuild?: (outcome: WatchBuildOutcome) => void;
  /**
   * Called when a good build has replaced the bundle; calls never overlap (a change during one is
   * handled after it returns, the latest build winning). `lambda-dev watch` restarts the runtime here.
   */
  readonly onBundle?: (bundle: string) => Promise<void> | void;
}

/** One build of a {@link FunctionWatcher}. */
export type WatchBuildOutcome =
  | {
      readonly ok: true;
      /** The bundle, replaced by this build. */
      readonly bundle: string;
      /** How long esbuild took, in ms. */
      readonly durationMs: number;
      /** esbuild's warnings, formatted as esbuild prints them ('' without any). */
      readonly warnings: string;
    }
  | {
      readonly ok: false;
      /** esbuild's errors, formatted as esbuild prints them (file, line, column, the code, a caret). */
      readonly errors: string;
      readonly durationMs: number;
    };

/**
 * Builds a function with an incremental esbuild context and rebuilds it when one of its sources
 * changes: the settings of `@lambda-runtime/bundler` (what runs locally is built as what ships),
 * plus a linked source map for readable stack traces. The bundle (`function.cjs`, run with
 * `node --enable-source-maps`) is replaced only by a good build, atomically: after a build error
 * the previous build stays in place, and the next good one replaces it.
 *
 * Watching is esbuild's own (`ctx.watch()`): it watches exactly the files the last build read
 * (resolved imports in `node_modules` included, plus paths that failed to resolve), on every
 * platform alike, and its `delay` is the debounce.
 *
 * @example
 * ```ts
 * const watcher = await FunctionWatcher.start({
 *   entry: 'src/index.ts',
 *   onBuild: (outcome) => outcome.ok || process.stderr.write(outcome.errors),
 *   onBundle: () => emulator.restartRuntime(),
 * });
 * // ... later
 * await watcher.close();
 * ```
 */
export class FunctionWatcher {
  /** The bundle file the runtime runs (it exists once {@link firstBuild} was good). */
  readonly bundle: string;
  /** The first build's outcome. */
  readonly firstBuild: WatchBuildOutcome;
  readonly #context: BuildContext;
  readonly #ownsOutDir: string | undefined;
  readonly #delivery: BundleDelivery;

  private constructor(
    bundle: string,
    firstBuild: WatchBuildOutcome,
    buildContext: BuildContext,
    ownsOutDir: string | undefined,
    delivery: BundleDelivery,
  ) {
    this.bundle = bundle;
    this.firstBuild = firstBuild;
    this.#context = buildContext;
    this.#ownsOutDir = ownsOutDir;
    this.#delivery = delivery;
  }

  /**
   * Resolves the entry, builds once and starts watching. Resolves after the first build, good or
   * bad (see {@link firstBuild}); later builds are reported through the callbacks.
   *
   * @throws {@link DevToolError} `ERR_ENTRY` for an entry that is neither a file nor a handler name.
   */
  static async start(options: FunctionWatcherOptions): Promise<FunctionWatcher> {
    const root = resolve(options.root ?? process.cwd());
    const entry = resolveFunctionEntry(options.entry, root);
    let ownsOutDir: string | undefined;
    if (options.outDir === undefined) {
      const cache = join(root, 'node_modules', '.cache', 'lambda-dev');
      await mkdir(cache, { recursive: true });
      ownsOutDir = await mkdtemp(join(cache, 'watch-'));
    }
    const outDir = resolve(root, options.outDir ?? (ownsOutDir as string));
    await mkdir(outDir, { recursive: true });
    const bundle = join(outDir, 'function.cjs');
    const delivery = new BundleDelivery(options.onBundle);
    let first: ((outcome: WatchBuildOutcome) => void) | undefined;
    const firstBuild = new Promise<WatchBuildOutcome>((settle) => {
      first = settle;
    });
    const plugin = watchPlugin({
      root,
      entry,
      bundle,
      colour: options.colour ?? false,
      onOutcome: (outcome) => {
        options.onBuild?.(outcome);
        if (first !== undefined) {
          // The first good build is the one the runtime starts with: no restart for it.
          first(outcome);
          first = undefined;
        } else if (outcome.ok) {
          delivery.deliver(outcome.bundle);
        }
      },
    });
    const buildContext = await context({
      ...functionBuildOptions({
        root,
        bundle,
        // A generated entry gets a fixed name in the project, as in `lambda-dev build`.
        ...(entry.kind === 'handler'
          ? {
              entry: join(root, 'lambda-dev-handler-entry.ts'),
              entryContents: handlerEntrySource(entry, root),
            }
          : { entry: entry.file }),
        // Readable code and stack traces that point at the sources; the Node.js that runs it is this one.
        minify: false,
        sourcemap: true,
        nodeMajor: Number(process.versions.node.split('.')[0]),
        external: options.external ?? [],
      }),
      logLevel: 'silent',
      metafile: true,
      write: false,
      plugins: [plugin],
    });
    try {
      await buildContext.watch({ delay: options.debounceMs ?? 100 });
      return new FunctionWatcher(bundle, await firstBuild, buildContext, ownsOutDir, delivery);
    } catch (error) {
      await buildContext.dispose();
      if (ownsOutDir !== undefined) await rm(ownsOutDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Stops watching, waits for a running {@link FunctionWatcherOptions.onBundle}, removes a temporary output folder. */
  async close(): Promise<void> {
    await this.#context.dispose();
    await this.#delivery.idle();
    if (this.#ownsOutDir !== undefined) await rm(this.#ownsOutDir, { recursive: true, force: true });
  }
}

interface WatchPluginOptions {
  readonly root: string;
  readonly entry: FunctionEntry;
  readonly bundle: string;
  readonly colour: boolean;
  onOutcome(outcome: WatchBuildOutcome): void;
}

/** Times each build, checks it, writes a good one atomically and reports the outcome. */
function watchPlugin(options: WatchPluginOptions): Plugin {
  return {
    name: 'lambda-dev-watch',
    setup(build) {
      let started = performance.now();
      build.onStart(() => {
        started = performance.now();
      });
      build.onEnd(async (result) => {
        let outcome: WatchBuildOutcome;
        try {
          outcome = await settle(result, options, started);
        } catch (error) {
          outcome = { ok: false, errors: `${messageOf(error)}\n`, durationMs: performance.now() - started };
        }
        options.onOutcome(outcome);
      });
    },
  };
}

async function settle(
  result: BuildResult,
  options: WatchPluginOptions,
  started: number,
): Promise<WatchBuildOutcome> {
  const format = async (kind: 'error' | 'warning', messages: BuildResult['errors']) =>
    (await formatMessages(messages, { kind, color: options.colour })).join('');
  if (result.errors.length > 0) {
    return {
      ok: false,
      errors: await format('error', result.errors),
      durationMs: performance.now() - started,
    };
  }
  if (result.metafile !== undefined && !bundleLoadsRuntime(result.metafile, options.root)) {
    const shown = relative(options.root, options.entry.file);
    return {
      ok: false,
      errors:
        `${shown} never loads @lambda-runtime/core, so it would start, run nothing and exit 0. Watch an entry ` +
        'that calls defaultRuntime(...).run(), or a handler name such as src/handler.handler (module.export)\n',
      durationMs: performance.now() - started,
    };
  }
  // Write every output to a temporary name first, then rename: a runtime that starts meanwhile
  // reads either the old bundle or the new one, never half of one.
  const files = result.outputFiles ?? [];
  await Promise.all(files.map((file) => writeFile(`${file.path}.next`, file.contents)));
  // The map first, so the new bundle never points at the old map.
  for (const file of [...files].sort(
    (a, b) => Number(a.path === options.bundle) - Number(b.path === options.bundle),
  )) {
    await rename(`${file.path}.next`, file.path);
  }
  return {
    ok: true,
    bundle: options.bundle,
    durationMs: performance.now() - started,
    warnings: await format('warning', result.warnings),
  };
}

/**
 * Hands good bundles to `onBundle` one at a time: a bundle that arrives while one is being handed
 * over waits, and only the latest waiting one is handed over next.
 */
class BundleDelivery {
  readonly #onBundle: ((bundle: string) => Promise<void> | void) | undefined;
  #running: Promise<void> | undefined;
  #waiting: string | undefined;

  constructor(onBundle: ((bundle: string) => Promise<void> | void) | undefined) {
    this.#onBundle = onBundle;
  }

  deliver(bundle: string): void {
    if (this.#onBundle === undefined) return;
    this.#waiting = bundle;
    if (this.#running === undefined) this.#running = this.#drain(this.#onBundle);
  }

  async idle(): Promise<void> {
    await this.#running;
  }

  async #drain(onBundle: (bundle: string) => Promise<void> | void): Promise<void> {
    try {
      for (let next = this.#waiting; next !== undefined; next = this.#waiting) {
        this.#waiting = undefined;
        try {
          await onBundle(next);
        } catch {
          // The callback reports its own failures; the next change tries again.
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
