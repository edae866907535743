import {
  currentInvocation,
  type InvocationContext,
  type LogFn,
  type Logger,
  runInInvocation,
} from '@lambda-runtime/api';
import type { LoggerOptions } from './create-logger.js';
import { toPinoLevel } from './levels.js';

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const RANK: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** A line logged before pino was loaded, with what it must be written with. */
interface PendingLine {
  readonly logger: DeferredLogger;
  readonly method: Method;
  readonly args: unknown[];
  readonly invocation: InvocationContext | undefined;
  readonly time: number;
}

/** What a root logger and its children share. Internal; exported for the declaration only. */
export interface DeferredLoggerState {
  readonly options: LoggerOptions;
  readonly threshold: number;
  readonly pending: PendingLine[];
  loading: Promise<void> | undefined;
  /** While replaying, the time the pending line was logged at. */
  replayTime: number | undefined;
  root: Logger | undefined;
}

/**
 * The runtime's logger, loaded late: pino is imported only when {@link DeferredLogger.settle} is
 * first called, which the runtime does once its first `/next` is on the wire, so a cold start does
 * not wait for it. Lines logged before that are kept with their time, level and invocation and
 * written in order, as they would have been, once pino is ready; from then on every call goes
 * straight to pino.
 *
 * @example
 * ```ts
 * const logger = new DeferredLogger({ format: 'JSON', level: 'INFO' });
 * logger.info('initialising'); // kept
 * await logger.settle(); // pino loaded, the line written with its original time
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
      pending: [],
      loading: undefined,
      replayTime: undefined,
      root: undefined,
    };
    this.#parent = child?.parent;
    this.#bindings = child?.bindings;
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

  flush(): void {
    this.#state.root?.flush?.();
  }

  /** Loads pino (once) and writes every pending line; resolves when they are written. */
  settle(): Promise<void> {
    const state = this.#state;
    state.loading ??= import('./create-logger.js').then(({ createLogger }) => {
      // pino's type has an index signature of log methods; it is a Logger all the same.
      state.root = createLogger({
        ...state.options,
        clock: () => state.replayTime ?? Date.now(),
      }) as unknown as Logger;
      for (const line of state.pending.splice(0)) {
        state.replayTime = line.time;
        const target = line.logger.#resolved() as Logger;
        const write = (): void => (target[line.method] as (...args: unknown[]) => void)(...line.args);
        if (line.invocation === undefined) write();
        else runInInvocation(line.invocation, write);
      }
      state.replayTime = undefined;
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

  #method(method: Method): LogFn {
    return ((...args: unknown[]): void => {
      const target = this.#target ?? this.#resolved();
      if (target !== undefined) {
        (target[method] as (...a: unknown[]) => void)(...args);
        return;
      }
      if ((RANK[method] ?? 0) < this.#state.threshold) return;
      this.#state.pending.push({
        logger: this,
        method,
        args,
        invocation: currentInvocation(),
        time: Date.now(),
      });
    }) as LogFn;
  }
}
