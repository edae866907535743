import type { LogFn, Logger } from '@lambda-runtime/api';
import type { LoggerOptions } from './create-logger.js';
import { JsonLineFormatter, type LevelMethod } from './json-line-formatter.js';
import { toPinoLevel } from './levels.js';
import { lineDestination } from './line-destination.js';
import { SyncFdDestination } from './sync-fd-destination.js';
import type { LogDestination } from './text-destination.js';

const RANK: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** What a root logger and its children share. Internal; exported for the declaration only. */
export interface DeferredLoggerState {
  readonly options: LoggerOptions;
  readonly threshold: number;
  /** Where lines go until pino is loaded: the same layout and redaction as pino's destination. */
  readonly early: LogDestination;
  readonly clock: () => number;
  loading: Promise<void> | undefined;
  root: Logger | undefined;
}

/**
 * The runtime's logger, with pino loaded late: pino is imported only when
 * {@link DeferredLogger.settle} is first called, which the runtime does once its first `/next` is
 * on the wire, so a cold start does not wait for it. Until then every line is formatted by a small
 * formatter that writes exactly what pino would (same JSON or Text layout, request id, error
 * serialization and redaction) and written synchronously, before the log call returns: a line
 * logged during init or the first invocation is on stdout even if the process then calls
 * `process.exit()`, is `SIGKILL`ed in a busy loop or runs out of memory. Once pino is loaded,
 * every call goes to it.
 *
 * @example
 * ```ts
 * const logger = new DeferredLogger({ format: 'JSON', level: 'INFO' });
 * logger.info('initialising'); // on stdout now
 * await logger.settle(); // pino loaded; later lines go through it
 * ```
 */
export class DeferredLogger implements Logger {
  readonly trace: LogFn = this.#method('trace');
  readonly debug: LogFn = this.#method('debug');
  readonly info: LogFn = this.#method('info');
  readonly warn: LogFn = this.#method('warn');
  readonly error: LogFn = this.#method('error');
  readonly fatal: LogFn = this.#method('fatal');
  readonly #state: DeferredLoggerState;
  readonly #parent: DeferredLogger | undefined;
  readonly #bindings: Record<string, unknown> | undefined;
  readonly #formatter: JsonLineFormatter;
  #target: Logger | undefined;

  /**
   * @param options - as for `createLogger`.
   * @param child - internal: how {@link DeferredLogger.child} links a child to its parent.
   */
  constructor(
    options: LoggerOptions = {},
    child?: {
      readonly state: DeferredLoggerState;
      readonly parent: DeferredLogger;
      readonly bindings: Record<string, unknown>;
    },
  ) {
    this.#state = child?.state ?? {
      options,
      threshold: RANK[toPinoLevel(options.level)] ?? RANK.info ?? 30,
      early: lineDestination(options.format, options.redact, options.destination ?? new SyncFdDestination(1)),
      clock: options.clock ?? Date.now,
      loading: undefined,
      root: undefined,
    };
    this.#parent = child?.parent;
    this.#bindings = child?.bindings;
    this.#formatter =
      child === undefined
        ? new JsonLineFormatter({ bindings: options.bindings, redactPaths: options.redactPaths })
        : child.parent.#formatter.child(child.bindings);
  }

  /** Whether lines of `level` are written (as pino's `isLevelEnabled`, also before pino is loaded). */
  isLevelEnabled(level: string): boolean {
    return (RANK[level] ?? 0) >= this.#state.threshold;
  }

  child(bindings: Record<string, unknown>): Logger {
    const target = this.#resolved();
    if (target !== undefined) return target.child(bindings);
    return new DeferredLogger(this.#state.options, { state: this.#state, parent: this, bindings });
  }

  /**
   * The redaction this logger applies to its lines (the `redact` option; the text unchanged
   * without one), for output that does not go through it: `installConsole` applies it to whatever
   * else is written to `process.stdout` and `process.stderr`.
   */
  redact(text: string): string {
    const redact = this.#state.options.redact;
    return redact === undefined ? text : redact(text);
  }

  flush(): void {
    // Lines written before pino was loaded are never buffered.
    this.#state.root?.flush?.();
  }

  /**
   * Loads pino (once) and hands over to it; resolves when later lines go through pino. Every line
   * logged before is already written, so nothing needs to wait for this.
   */
  settle(): Promise<void> {
    const state = this.#state;
    state.loading ??= import('./create-logger.js').then(({ createLogger }) => {
      // pino's type has an index signature of log methods; it is a Logger all the same.
      state.root = createLogger(state.options) as unknown as Logger;
    });
    return state.loading;
  }

  #resolved(): Logger | undefined {
    if (this.#target !== undefined) return this.#target;
    const root = this.#state.root;
    if (root === undefined) return undefined;
    if (this.#parent === undefined || this.#bindings === undefined) {
      this.#target = root;
    } else {
      this.#target = this.#parent.#resolved()?.child(this.#bindings);
    }
    return this.#target;
  }

  #method(method: LevelMethod): LogFn {
    return ((...args: unknown[]): void => {
      const target = this.#target ?? this.#resolved();
      if (target !== undefined) {
        (target[method] as (...a: unknown[]) => void)(...args);
        return;
      }
      const state = this.#state;
      if ((RANK[method] ?? 0) < state.threshold) return;
      state.early.write(this.#formatter.format(method, args, state.clock()));
    }) as LogFn;
  }
}
