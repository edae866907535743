import {
  CONTEXT_BUILDER,
  type ContextBuilder,
  ENVIRONMENT,
  EnvironmentError,
  type Handler,
  HandlerNotFoundError,
  type Initializer,
  type InvocationContext,
  type LambdaEnvironment,
  LOGGER,
  type Logger,
  RUNTIME_LOOP,
  type RuntimeLoop,
  TRANSPORT,
  TRANSPORT_FACTORY,
  type Transport,
  type TransportFactory,
  toErrorDocument,
  UnhandledPromiseRejectionError,
} from '@lambda-runtime/api';
import {
  type DependencyContainer,
  type FactoryProvider,
  type InjectionToken,
  instancePerContainerCachingFactory,
  type Provider,
} from 'tsyringe';
import { type InternalExtension, registerInternalExtension } from './internal-extension.js';
import { DEFAULT_USER_AGENT, RuntimeApiClient } from './runtime-api-client.js';
import { RuntimeExitError } from './runtime-exit-error.js';
import { settleLogger } from './settle-logger.js';

/** What a context-builder wrapper gets besides the builder it wraps. */
export interface ContextBuilderDependencies {
  readonly env: LambdaEnvironment;
  readonly logger: Logger;
}

/** Wraps the current context builder, e.g. to add a field to every context. */
export type ContextBuilderWrapper<C extends InvocationContext = InvocationContext> = (
  base: ContextBuilder,
  deps: ContextBuilderDependencies,
) => ContextBuilder<C>;

/** Process-level behaviour of {@link LambdaRuntime.run}; the defaults suit a real `bootstrap`. */
export interface LambdaRuntimeOptions {
  /** Ends the process, called after the logger is flushed (default `process.exit`). */
  readonly exit?: (code: number) => void;
  /** Route `console.*` through the runtime's logger (default `true`). */
  readonly routeConsole?: boolean;
  /**
   * Listen for `SIGTERM` (stop polling, run shutdown hooks, flush, exit 0) and for uncaught
   * exceptions and unhandled rejections (during init: `/init/error`; during an invocation: `/error`
   * for it; then exit 1). Default `true`.
   */
  readonly processHandlers?: boolean;
  /**
   * Register an internal extension so that the platform sends `SIGTERM` before stopping the
   * environment (without any extension it sends `SIGKILL` alone). Default: `true` once a shutdown
   * hook is registered with {@link LambdaRuntime.onShutdown}.
   */
  readonly receiveSigterm?: boolean;
  /**
   * How long shutdown hooks (and an invocation still in flight) may take after `SIGTERM` before the
   * process exits anyway (default 300 ms: the platform's grace is 500 ms with an internal extension).
   */
  readonly shutdownTimeoutMs?: number;
}

/** What a shutdown hook gets. */
export interface ShutdownHookOptions {
  /** Aborted when the shutdown time is up; the process exits right after. */
  readonly signal: AbortSignal;
}

/** Runs on `SIGTERM`, after polling stopped; bounded by {@link LambdaRuntimeOptions.shutdownTimeoutMs}. */
export type ShutdownHook = (options: ShutdownHookOptions) => void | Promise<void>;

/** `Lambda-Extension-Name` of the internal extension that enables `SIGTERM`. */
export const INTERNAL_EXTENSION_NAME = 'lambda-runtime-sigterm';
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 300;

/** The parts a {@link LambdaRuntime} gets from its composition root. */
export interface LambdaRuntimeDependencies {
  /** A container holding every default; the runtime registers overrides on it. */
  readonly container: DependencyContainer;
  /** The provider registered for `CONTEXT_BUILDER` in `container`: the first base that wrappers wrap. */
  readonly contextBuilderProvider: Provider<ContextBuilder>;
  /** Routes `console.*` through a logger; returns the function that undoes it. */
  readonly installConsole: (logger: Logger) => () => void;
}

const SUCCESS = 0;
const FAILURE = 1;

/**
 * A configured runtime: the container with its defaults, chainable overrides, and `run()`.
 * Usually obtained from `defaultRuntime(initialize)`.
 *
 * @example
 * ```ts
 * defaultRuntime(async ({ env }) => handler)
 *   .withTransport((origin) => new GotTransport({ origin }))
 *   .withContextBuilder((base) => ({ build: (invocation) => Object.assign(base.build(invocation), { stage: 'prod' }) }))
 *   .run();
 * ```
 */
export class LambdaRuntime<TContext extends InvocationContext = InvocationContext> {
  /** The tsyringe child container holding the defaults; registrations on it override them. */
  readonly container: DependencyContainer;
  private readonly initialize: Initializer<unknown, unknown, TContext>;
  private readonly installConsole: (logger: Logger) => () => void;
  private readonly exitProcess: (code: number) => void;
  private readonly routeConsole: boolean;
  private readonly processHandlers: boolean;
  private readonly receiveSigterm: boolean | undefined;
  private readonly shutdownTimeoutMs: number;
  private readonly shutdownHooks: ShutdownHook[] = [];
  private shutdownPromise: Promise<never> | undefined;
  private extension: InternalExtension | undefined;
  private contextBuilderProvider: Provider<ContextBuilder>;
  private wrapperCount = 0;
  private started = false;
  private exited = false;
  // Set by an uncaught failure after init: the exit (code 1) once its invocation is answered.
  private crashing: Promise<never> | undefined;
  private exitCode: number | undefined;
  private logger: Logger | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    initialize: Initializer<unknown, unknown, TContext>,
    dependencies: LambdaRuntimeDependencies,
    options: LambdaRuntimeOptions = {},
  ) {
    this.initialize = initialize;
    this.container = dependencies.container;
    this.contextBuilderProvider = dependencies.contextBuilderProvider;
    this.installConsole = dependencies.installConsole;
    this.exitProcess = options.exit ?? ((code) => process.exit(code));
    this.routeConsole = options.routeConsole ?? true;
    this.processHandlers = options.processHandlers ?? true;
    this.receiveSigterm = options.receiveSigterm;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  }

  /**
   * Adds a hook that runs on `SIGTERM` (hooks run concurrently, bounded by `shutdownTimeoutMs`),
   * and asks for `SIGTERM` by registering an internal extension during init.
   *
   * @example
   * ```ts
   * defaultRuntime(init)
   *   .onShutdown(async ({ signal }) => { await metrics.flush({ signal }); })
   *   .run();
   * ```
   */
  onShutdown(hook: ShutdownHook): this {
    this.shutdownHooks.push(hook);
    return this;
  }

  /**
   * Registers `provider` for `token` on {@link LambdaRuntime.container}, replacing the default.
   *
   * @example
   * ```ts
   * runtime.register(PAYLOAD_CODEC, { useValue: new MyCodec() });
   * ```
   */
  register<T>(token: InjectionToken<T>, provider: Provider<T>): this {
    registerProvider(this.container, token, provider);
    if (token === CONTEXT_BUILDER) {
      this.contextBuilderProvider = provider as Provider<ContextBuilder>;
    }
    return this;
  }

  /**
   * Builds the transport with `factory(origin)` instead of the default socket transport; `origin` is
   * `http://${AWS_LAMBDA_RUNTIME_API}`.
   *
   * @example
   * ```ts
   * runtime.withTransport((origin) => new GotTransport({ origin }));
   * ```
   */
  withTransport(factory: (origin: string) => Transport): this {
    this.container.register<TransportFactory>(TRANSPORT_FACTORY, { useValue: factory });
    return this;
  }

  /**
   * Wraps the current context builder (the default, a registered one, or an earlier wrapper).
   *
   * @example
   * ```ts
   * runtime.withContextBuilder((base, { env }) => ({
   *   build: (invocation) => Object.assign(base.build(invocation), { stage: env.get('STAGE') }),
   * }));
   * ```
   */
  withContextBuilder(wrap: ContextBuilderWrapper<TContext>): this {
    // The builder being wrapped moves to a private token so the new CONTEXT_BUILDER can resolve it.
    this.wrapperCount += 1;
    const baseToken = Symbol(`@lambda-runtime/core/ContextBuilderBase#${this.wrapperCount}`);
    registerProvider(this.container, baseToken, this.contextBuilderProvider);
    const provider: FactoryProvider<ContextBuilder> = {
      useFactory: instancePerContainerCachingFactory(
        (c) =>
          wrap(c.resolve<ContextBuilder>(baseToken), {
            env: c.resolve<LambdaEnvironment>(ENVIRONMENT),
            logger: c.resolve<Logger>(LOGGER),
          }) as ContextBuilder,
      ),
    };
    this.container.register(CONTEXT_BUILDER, provider);
    this.contextBuilderProvider = provider;
    return this;
  }

  /**
   * Starts the runtime: reads the environment (exit 1 with one clear line if it is unusable), runs
   * `initialize` once (a throw, a rejection or a non-function result goes to `/init/error`, then
   * exit 1), then loops over invocations until `SIGTERM` (exit 0) or a fatal Runtime API failure
   * (exit 1). Never resolves.
   */
  async run(): Promise<never> {
    if (this.started) {
      throw new Error('LambdaRuntime.run() was already called');
    }
    this.started = true;

    let env: LambdaEnvironment;
    let logger: Logger;
    try {
      env = this.container.resolve<LambdaEnvironment>(ENVIRONMENT);
      logger = this.container.resolve<Logger>(LOGGER);
    } catch (error) {
      writeStartupFailure(error);
      return this.finish(FAILURE);
    }
    this.logger = logger;
    for (const warning of env.warnings) {
      logger.warn(warning);
    }
    if (this.routeConsole) {
      this.cleanups.push(this.installConsole(logger));
    }

    let loop: RuntimeLoop<TContext> | undefined;
    let looping: Promise<void> | undefined;
    if (this.processHandlers) {
      const onSigterm = (): void => {
        this.shutdown(logger, loop, looping).catch(() => undefined);
      };
      process.on('SIGTERM', onSigterm);
      this.cleanups.push(() => process.off('SIGTERM', onSigterm));
    }

    // Connecting while the initializer runs lets the first /next go out the moment it is made.
    const connecting = this.preconnect();
    const handler = await this.initializeOrReport(env, logger);
    await connecting;
    if (this.exited) return this.halted();
    if (handler === undefined) return this.finish(FAILURE);
    try {
      loop = this.container.resolve<RuntimeLoop<TContext>>(RUNTIME_LOOP);
      if (this.receiveSigterm ?? this.shutdownHooks.length > 0) {
        this.extension = await registerInternalExtension(
          env.runtimeApi,
          INTERNAL_EXTENSION_NAME,
          logger,
          DEFAULT_USER_AGENT,
        );
        if (this.extension !== undefined) {
          const extension = this.extension;
          this.cleanups.push(() => extension.close());
        }
      }
    } catch (error) {
      await this.reportInitError(error, logger, env);
      return this.finish(FAILURE);
    }
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    if (this.processHandlers) {
      this.watchInvocationCrashes(logger, loop);
    }

    try {
      looping = loop.run(handler);
      // The first /next is on the wire now: load whatever the logger deferred while it is parked.
      settleLogger(logger)?.catch(() => undefined);
      await looping;
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

  /**
   * SIGTERM: stop polling, run the shutdown hooks and let an invocation in flight finish, all
   * within `shutdownTimeoutMs`; then flush and exit 0.
   */
  private shutdown(
    logger: Logger,
    loop: RuntimeLoop<TContext> | undefined,
    looping: Promise<void> | undefined,
  ): Promise<never> {
    this.shutdownPromise ??= (async () => {
      logger.info('SIGTERM received, shutting down');
      loop?.stop();
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), this.shutdownTimeoutMs);
      });
      const done = Promise.allSettled([
        ...this.shutdownHooks.map((hook) => this.runHook(hook, abort.signal, logger)),
        looping?.catch(() => undefined),
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
      return this.container.resolve<Transport>(TRANSPORT).connect?.() ?? Promise.resolve();
    } catch {
      // Reported where the transport is needed next (the loop or /init/error).
      return Promise.resolve();
    }
  }

  private async runHook(hook: ShutdownHook, signal: AbortSignal, logger: Logger): Promise<void> {
    try {
      await hook({ signal });
    } catch (error) {
      const document = toErrorDocument(error);
      logger.error(
        {
          errorType: document.errorType,
          errorMessage: document.errorMessage,
          stackTrace: document.stackTrace,
        },
        'A shutdown hook failed',
      );
    }
  }

  // After init: an exception from a timer or a rejection nobody handles belongs to the invocation
  // in flight, which gets it on /error; the process state is unknown afterwards, so it exits.
  private watchInvocationCrashes(logger: Logger, loop: RuntimeLoop<TContext>): void {
    let crashed = false;
    const onCrash = (error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void => {
      if (crashed || this.exited) return;
      crashed = true;
      const reported = origin === 'unhandledRejection' ? unhandledRejection(error) : error;
      const document = toErrorDocument(reported);
      const answering = loop.failInFlight?.(reported) ?? Promise.resolve(false);
      // The loop may end meanwhile (failInFlight stops it): run() then waits for this, not exit 0.
      this.crashing = answering
        .then(
          (answered) => {
            logger.fatal(
              {
                errorType: document.errorType,
                errorMessage: document.errorMessage,
                stackTrace: document.stackTrace,
              },
              answered
                ? `${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'} during an invocation, reported to /error; exiting`
                : `${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'} outside an invocation; exiting`,
            );
          },
          (postError: unknown) => {
            logger.fatal(
              {
                errorType: document.errorType,
                errorMessage: document.errorMessage,
                postError: toErrorDocument(postError).errorMessage,
              },
              'Uncaught failure during an invocation could not be reported; exiting',
            );
          },
        )
        .then(() => this.finish(FAILURE));
      this.crashing.catch(() => undefined);
    };
    const onException = (error: unknown): void => onCrash(error, 'uncaughtException');
    const onRejection = (reason: unknown): void => onCrash(reason, 'unhandledRejection');
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    this.cleanups.push(() => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    });
  }

  /** Runs the initializer; on failure reports it to `/init/error` and returns `undefined`. */
  private async initializeOrReport(
    env: LambdaEnvironment,
    logger: Logger,
  ): Promise<Handler<unknown, unknown, TContext> | undefined> {
    const removeCrashHandlers = this.processHandlers ? this.watchInitCrashes(logger, env) : () => undefined;
    try {
      const handler: unknown = await this.initialize({ env, logger });
      if (typeof handler !== 'function') {
        throw new HandlerNotFoundError(
          `The initializer returned ${describeType(handler)} instead of a handler function`,
        );
      }
      return handler as Handler<unknown, unknown, TContext>;
    } catch (error) {
      if (!this.exited) {
        await this.reportInitError(error, logger, env);
      }
      return undefined;
    } finally {
      removeCrashHandlers();
    }
  }

  // An exception thrown from a timer or an unawaited promise during init would otherwise end the
  // process without a report; after init these listeners are gone and /init/error is never used.
  private watchInitCrashes(logger: Logger, env: LambdaEnvironment): () => void {
    let crashed = false;
    const onCrash = (error: unknown): void => {
      if (this.exited || crashed) return;
      crashed = true;
      this.reportInitError(error, logger, env)
        .then(() => this.finish(FAILURE))
        .catch(() => undefined);
    };
    const onRejection = (reason: unknown): void => onCrash(unhandledRejection(reason));
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onRejection);
    return () => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onRejection);
    };
  }

  private async reportInitError(error: unknown, logger: Logger, env: LambdaEnvironment): Promise<void> {
    const document = toErrorDocument(error);
    logger.error(
      { errorType: document.errorType, errorMessage: document.errorMessage, stackTrace: document.stackTrace },
      'Init Error',
    );
    try {
      const transport = this.container.resolve<Transport>(TRANSPORT);
      const posted = await new RuntimeApiClient(transport, {
        redact: (text) => env.redact(text),
      }).postInitError(document);
      if (posted.status >= 400) {
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
      if (this.logger !== undefined) {
        await settleLogger(this.logger)?.catch(() => undefined);
        this.logger.flush?.();
      }
      this.exitProcess(code);
    }
    return this.halted();
  }

  /** Only reached when an overridden `exit` returned. */
  private halted(): Promise<never> {
    return Promise.reject(new RuntimeExitError(this.exitCode ?? FAILURE));
  }
}

function registerProvider<T>(
  container: DependencyContainer,
  token: InjectionToken<T>,
  provider: Provider<T>,
): void {
  // tsyringe's overloads take one provider kind each; a Provider union is valid for all of them.
  (container.register as (token: InjectionToken<T>, provider: Provider<T>) => DependencyContainer).call(
    container,
    token,
    provider,
  );
}

function writeStartupFailure(error: unknown): void {
  const reason =
    error instanceof EnvironmentError ? error.problems.join('; ') : toErrorDocument(error).errorMessage;
  // No logger exists yet (its settings come from the environment), so this one line goes straight out.
  process.stderr.write(`FATAL lambda-runtime cannot start: ${reason}\n`);
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
