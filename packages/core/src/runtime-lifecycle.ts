import {
  EnvironmentError,
  type Handler,
  HandlerNotFoundError,
  type Initializer,
  type InvocationContext,
  isStreamingHandler,
  type LambdaEnvironment,
  type Logger,
  type RuntimeLoop,
  type Transport,
  toErrorDocument,
  UnhandledPromiseRejectionError,
} from '@lambda-runtime/api';
import { type InternalExtension, registerInternalExtension } from './internal-extension.js';
import { DEFAULT_USER_AGENT, type RuntimeApiClient } from './runtime-api-client.js';
import { RuntimeExitError } from './runtime-exit-error.js';
import { onPoolShutdown } from './worker-share.js';

/** Process-level behaviour of a runtime; the defaults suit a real `bootstrap`. */
export interface LambdaRuntimeOptions {
  /** Ends the process, called after the logger is flushed (default `process.exit`). */
  readonly exit?: (code: number) => void;
  /** Route `console.*` through the runtime's logger (default `true`). */
  readonly routeConsole?: boolean;
  /**
   * Listen for `SIGTERM` (stop polling, run shutdown hooks, flush, exit 0) and for uncaught
   * exceptions and unhandled rejections (before the first `/next`: `/init/error`; after it: `/error`
   * for the invocation in flight; then exit 1). Default `true`.
   */
  readonly processHandlers?: boolean;
  /**
   * Register an internal extension so that the platform sends `SIGTERM` before stopping the
   * environment (without any extension it sends `SIGKILL` alone). Default: `true` once a shutdown
   * hook is registered.
   */
  readonly receiveSigterm?: boolean;
  /**
   * How long shutdown hooks (and an invocation still in flight) may take after `SIGTERM` before the
   * process exits anyway (default 300 ms: the platform's grace is 500 ms with an internal extension).
   */
  readonly shutdownTimeoutMs?: number;
}

/** Options of {@link RuntimeLifecycle}: the process-level behaviour plus the shutdown hooks. */
export interface RuntimeLifecycleOptions extends LambdaRuntimeOptions {
  /** Run on `SIGTERM`, concurrently, bounded by `shutdownTimeoutMs`. */
  readonly shutdownHooks?: readonly ShutdownHook[];
}

/** What a shutdown hook gets. */
export interface ShutdownHookOptions {
  /** Aborted when the shutdown time is up; the process exits right after. */
  readonly signal: AbortSignal;
}

/** Runs on `SIGTERM`, after polling stopped; bounded by {@link LambdaRuntimeOptions.shutdownTimeoutMs}. */
export type ShutdownHook = (options: ShutdownHookOptions) => void | Promise<void>;

/**
 * The resolved parts a {@link RuntimeLifecycle} runs with. The composition root builds them (the
 * default one from a tsyringe container); nothing here knows a container.
 */
export interface RuntimeParts<TContext extends InvocationContext = InvocationContext> {
  /** The validated environment, given to the initializer. */
  readonly environment: LambdaEnvironment;
  readonly logger: Logger;
  /** The transport under `client`; connected while the initializer runs. */
  readonly transport: Transport;
  /**
   * The one Runtime API client: `/init/error` goes through it, and the loop that `createLoop`
   * returns answers through the same one.
   */
  readonly client: RuntimeApiClient;
  /**
   * Builds the loop once the initializer returned a handler, so that a context builder wrapper may
   * use what the initializer set up. A throw is an init error (`/init/error`, exit 1).
   */
  readonly createLoop: () => RuntimeLoop<TContext>;
  /** Routes `console.*` through a logger and returns what undoes it; needed for `routeConsole`. */
  readonly installConsole?: (logger: Logger) => () => void;
}

/** `Lambda-Extension-Name` of the internal extension that enables `SIGTERM`. */
export const INTERNAL_EXTENSION_NAME = 'lambda-runtime-sigterm';
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 300;
const FORBIDDEN = 403;
const SUCCESS = 0;
const FAILURE = 1;

type CrashOrigin = 'uncaughtException' | 'unhandledRejection';

/** Options of {@link RuntimeLifecycle.failToStart}. */
export interface FailToStartOptions extends Pick<LambdaRuntimeOptions, 'exit'> {
  /** Redacts secrets from the line; there is no environment yet to do it (default: none). */
  readonly redact?: (text: string) => string;
}

/**
 * The life of a runtime process, from resolved parts and without a container: init (the
 * initializer once, failures to `/init/error`, exit 1), the loop until `SIGTERM` (hooks, flush,
 * exit 0) or a fatal Runtime API failure (exit 1), and one crash watcher for uncaught exceptions
 * and unhandled rejections: before the first `/next` they are init errors, after it they answer the
 * invocation in flight on `/error`; either way the process exits 1.
 *
 * `defaultRuntime(initialize).run()` builds one from the defaults; build one yourself to run with
 * parts wired by hand.
 *
 * @example
 * ```ts
 * const client = new RuntimeApiClient(transport, { redact: (text) => environment.redact(text), logger });
 * await new RuntimeLifecycle({
 *   environment, logger, transport, client,
 *   createLoop: () => new DefaultRuntimeLoop(transport, contextBuilder, codec, logger, environment, { client }),
 * }).run(async () => async (event) => ({ ok: true }));
 * ```
 */
export class RuntimeLifecycle<TContext extends InvocationContext = InvocationContext> {
  private readonly parts: RuntimeParts<TContext>;
  private readonly exitProcess: (code: number) => void;
  private readonly routeConsole: boolean;
  private readonly processHandlers: boolean;
  private readonly receiveSigterm: boolean | undefined;
  private readonly shutdownTimeoutMs: number;
  private readonly shutdownHooks: readonly ShutdownHook[];
  private readonly cleanups: Array<() => void> = [];
  private started = false;
  private exited = false;
  private exitCode: number | undefined;
  // Set once the loop starts polling: from then on a crash belongs to an invocation, not to init.
  private loop: RuntimeLoop<TContext> | undefined;
  private looping: Promise<void> | undefined;
  // Set by an uncaught failure: its report, then the exit (code 1). run() waits for it.
  private crashing: Promise<never> | undefined;
  private shutdownPromise: Promise<never> | undefined;

  constructor(parts: RuntimeParts<TContext>, options: RuntimeLifecycleOptions = {}) {
    this.parts = parts;
    this.exitProcess = options.exit ?? ((code) => process.exit(code));
    this.routeConsole = options.routeConsole ?? true;
    this.processHandlers = options.processHandlers ?? true;
    this.receiveSigterm = options.receiveSigterm;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.shutdownHooks = options.shutdownHooks ?? [];
  }

  /**
   * The way out when the parts could not be built (no logger may exist yet, since its settings come
   * from the environment): one line on stderr, then `exit(1)`.
   *
   * @example
   * ```ts
   * try { parts = resolveParts(); } catch (error) { return RuntimeLifecycle.failToStart(error); }
   * ```
   */
  static failToStart(error: unknown, options: FailToStartOptions = {}): Promise<never> {
    const reason =
      error instanceof EnvironmentError ? error.problems.join('; ') : toErrorDocument(error).errorMessage;
    const redact = options.redact ?? ((text: string) => text);
    process.stderr.write(`FATAL lambda-runtime cannot start: ${redact(reason)}\n`);
    (options.exit ?? ((code) => process.exit(code)))(FAILURE);
    return Promise.reject(new RuntimeExitError(FAILURE));
  }

  /**
   * Runs `initialize` once (a throw, a rejection or a non-function result goes to `/init/error`,
   * then exit 1), then loops over invocations until `SIGTERM` (exit 0) or a fatal Runtime API
   * failure (exit 1). Never resolves; rejects with {@link RuntimeExitError} only when an overridden
   * `exit` returned.
   */
  async run(initialize: Initializer<unknown, unknown, TContext>): Promise<never> {
    if (this.started) {
      throw new Error('RuntimeLifecycle.run() was already called');
    }
    this.started = true;
    const { environment, logger } = this.parts;
    for (const warning of environment.warnings) {
      logger.warn(warning);
    }
    if (this.routeConsole && this.parts.installConsole !== undefined) {
      this.cleanups.push(this.parts.installConsole(logger));
    }
    if (this.processHandlers) {
      this.listenToProcess();
    }

    // Connecting while the initializer runs lets the first /next go out the moment it is made.
    const connecting = this.preconnect();
    const handler = await this.initializeOrReport(initialize);
    await connecting;
    if (this.crashing !== undefined) return this.crashing;
    if (this.exited) return this.halted();
    if (handler === undefined) return this.finish(FAILURE);
    let loop: RuntimeLoop<TContext>;
    try {
      loop = this.parts.createLoop();
      await this.registerExtension();
    } catch (error) {
      if (this.crashing !== undefined) return this.crashing;
      await this.reportInitError(error);
      return this.finish(FAILURE);
    }
    if (this.crashing !== undefined) return this.crashing;
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;

    try {
      this.loop = loop;
      // The logger is not settled (pino not loaded): its own formatter writes what pino would at
      // the same cost per line, and loading pino here would delay the first invocation, which is
      // already waiting on a cold start (and after a thaw), by ~5 ms and ~3 MiB of RSS.
      this.looping = loop.run(handler);
      await this.looping;
    } catch (error) {
      if (this.exited) return this.halted();
      if (this.crashing !== undefined) return this.crashing;
      const document = toErrorDocument(error);
      logger.fatal(
        { errorType: document.errorType, errorMessage: document.errorMessage },
        `Fatal Runtime API failure, exiting: ${document.errorMessage}`,
      );
      return this.finish(FAILURE);
    }
    if (this.crashing !== undefined) return this.crashing;
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    return this.finish(SUCCESS);
  }

  /** `SIGTERM` and the crash watcher, for the whole life of the process. */
  private listenToProcess(): void {
    const onSigterm = (): void => {
      this.shutdown().catch(noop);
    };
    const onException = (error: unknown): void => this.onCrash(error, 'uncaughtException');
    const onRejection = (reason: unknown): void => this.onCrash(reason, 'unhandledRejection');
    process.on('SIGTERM', onSigterm);
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    // A worker thread of the pool gets no signals: its main thread passes SIGTERM on.
    const stopListeningToPool = onPoolShutdown(this.parts.environment, onSigterm);
    this.cleanups.push(() => {
      stopListeningToPool();
      process.off('SIGTERM', onSigterm);
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    });
  }

  /**
   * The one crash watcher. An exception thrown from a timer or a rejection nobody handles would
   * otherwise end the process without a report. Before the first `/next` it is an init error; after
   * it, it belongs to the invocation in flight, which gets it on `/error`. The process state is
   * unknown afterwards, so it exits 1 either way.
   */
  private onCrash(error: unknown, origin: CrashOrigin): void {
    if (this.crashing !== undefined || this.exited) return;
    const reported = origin === 'unhandledRejection' ? unhandledRejection(error) : error;
    const loop = this.loop;
    const reporting =
      loop === undefined
        ? this.reportInitError(reported)
        : this.reportInvocationCrash(loop, reported, origin);
    // The loop may end meanwhile (failInFlight stops it): run() then waits for this, not exit 0.
    this.crashing = reporting.then(() => this.finish(FAILURE));
    this.crashing.catch(noop);
  }

  private async reportInvocationCrash(
    loop: RuntimeLoop<TContext>,
    error: unknown,
    origin: CrashOrigin,
  ): Promise<void> {
    const { logger } = this.parts;
    const document = toErrorDocument(error);
    const what = origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception';
    try {
      // A loop without failInFlight cannot answer; the exit that follows ends it.
      const answered = loop.failInFlight === undefined ? false : await loop.failInFlight(error);
      logger.fatal(
        {
          errorType: document.errorType,
          errorMessage: document.errorMessage,
          stackTrace: document.stackTrace,
        },
        answered
          ? `${what} during an invocation, reported to /error; exiting`
          : `${what} outside an invocation; exiting`,
      );
    } catch (postError) {
      logger.fatal(
        {
          errorType: document.errorType,
          errorMessage: document.errorMessage,
          postError: toErrorDocument(postError).errorMessage,
        },
        'Uncaught failure during an invocation could not be reported; exiting',
      );
    }
  }

  /**
   * SIGTERM: stop polling, run the shutdown hooks and let an invocation in flight finish, all
   * within `shutdownTimeoutMs`; then flush and exit 0.
   */
  private shutdown(): Promise<never> {
    this.shutdownPromise ??= (async () => {
      const { logger } = this.parts;
      logger.info('SIGTERM received, shutting down');
      this.loop?.stop();
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), this.shutdownTimeoutMs);
      });
      const done = Promise.allSettled([
        ...this.shutdownHooks.map((hook) => this.runHook(hook, abort.signal)),
        this.looping?.catch(noop),
      ]).then(() => false as const);
      if (await Promise.race([done, timedOut])) {
        logger.warn(
          { shutdownTimeoutMs: this.shutdownTimeoutMs },
          `Shutdown did not finish within ${this.shutdownTimeoutMs} ms; exiting anyway`,
        );
      }
      clearTimeout(timer);
      abort.abort();
      return this.finish(SUCCESS);
    })();
    return this.shutdownPromise;
  }

  private preconnect(): Promise<void> {
    try {
      return this.parts.transport.connect?.() ?? Promise.resolve();
    } catch {
      // Shown by the first request, where the loop or /init/error reports it.
      return Promise.resolve();
    }
  }

  /** With shutdown hooks (or when asked): the internal extension that makes the platform send SIGTERM. */
  private async registerExtension(): Promise<void> {
    if (!(this.receiveSigterm ?? this.shutdownHooks.length > 0)) return;
    const extension: InternalExtension | undefined = await registerInternalExtension(
      this.parts.environment.runtimeApi,
      INTERNAL_EXTENSION_NAME,
      this.parts.logger,
      DEFAULT_USER_AGENT,
    );
    if (extension !== undefined) {
      this.cleanups.push(() => extension.close());
    }
  }

  private async runHook(hook: ShutdownHook, signal: AbortSignal): Promise<void> {
    try {
      await hook({ signal });
    } catch (error) {
      const document = toErrorDocument(error);
      this.parts.logger.error(
        {
          errorType: document.errorType,
          errorMessage: document.errorMessage,
          stackTrace: document.stackTrace,
        },
        'A shutdown hook failed',
      );
    }
  }

  /** Runs the initializer; on failure reports it to `/init/error` and returns `undefined`. */
  private async initializeOrReport(
    initialize: Initializer<unknown, unknown, TContext>,
  ): Promise<Handler<unknown, unknown, TContext> | undefined> {
    try {
      const handler: unknown = await initialize({
        env: this.parts.environment,
        logger: this.parts.logger,
      });
      if (typeof handler !== 'function') {
        throw new HandlerNotFoundError(
          `The initializer returned ${describeType(handler)} instead of a handler function`,
        );
      }
      // A streaming mark other than 'response' is a broken handler: an init error, as in the managed runtime.
      isStreamingHandler(handler);
      return handler as Handler<unknown, unknown, TContext>;
    } catch (error) {
      // A crash already reported (or an exit under way) has the last word.
      if (this.crashing === undefined && !this.exited) {
        await this.reportInitError(error);
      }
      return undefined;
    }
  }

  /** Logs the error and posts it to `/init/error` through the one client; never rejects. */
  private async reportInitError(error: unknown): Promise<void> {
    const { logger } = this.parts;
    const document = toErrorDocument(error);
    logger.error(
      { errorType: document.errorType, errorMessage: document.errorMessage, stackTrace: document.stackTrace },
      'Init Error',
    );
    try {
      const posted = await this.parts.client.postInitError(document);
      if (posted.status === FORBIDDEN && this.parts.environment.maxConcurrency > 1) {
        // Under Lambda Managed Instances only the first report of the environment is taken; this
        // worker's failure is already on record (checklist item 44).
        logger.debug({ status: posted.status }, 'Another worker already reported the init error');
      } else if (posted.status >= 400) {
        logger.error(
          { status: posted.status, apiErrorType: posted.apiErrorType },
          `Runtime API rejected /init/error with ${posted.status}`,
        );
      }
    } catch (postError) {
      logger.error(
        { errorMessage: toErrorDocument(postError).errorMessage },
        'Could not report the init error',
      );
    }
  }

  private async finish(code: number): Promise<never> {
    if (!this.exited) {
      this.exited = true;
      this.exitCode = code;
      for (const cleanup of this.cleanups.splice(0).reverse()) {
        cleanup();
      }
      const { logger } = this.parts;
      logger.flush?.();
      this.exitProcess(code);
    }
    return this.halted();
  }

  /** Only reached when an overridden `exit` returned. */
  private halted(): Promise<never> {
    return Promise.reject(new RuntimeExitError(this.exitCode ?? FAILURE));
  }
}

/** Wraps a rejection reason so the report says what happened, keeping the reason's own stack. */
function unhandledRejection(reason: unknown): UnhandledPromiseRejectionError {
  const inner = toErrorDocument(reason);
  const error = new UnhandledPromiseRejectionError(`${inner.errorType}: ${inner.errorMessage}`, {
    cause: reason,
  });
  if (inner.stackTrace.length > 0) {
    error.stack = [`Runtime.UnhandledPromiseRejection: ${error.message}`, ...inner.stackTrace.slice(1)].join(
      '\n',
    );
  }
  return error;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'undefined' : `a value of type ${typeof value}`;
}

function noop(): void {}
