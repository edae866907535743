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
} from '@lambda-runtime/api';
import {
  type DependencyContainer,
  type FactoryProvider,
  type InjectionToken,
  instancePerContainerCachingFactory,
  type Provider,
} from 'tsyringe';
import { RuntimeApiClient } from './runtime-api-client.js';
import { RuntimeExitError } from './runtime-exit-error.js';

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
   * Listen for `SIGTERM` (stop, flush, exit 0) and, during init only, for uncaught exceptions and
   * unhandled rejections (reported to `/init/error`). Default `true`.
   */
  readonly processHandlers?: boolean;
}

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
  private contextBuilderProvider: Provider<ContextBuilder>;
  private wrapperCount = 0;
  private started = false;
  private exited = false;
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
   * Builds the transport with `factory(origin)` instead of undici; `origin` is
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
    if (this.processHandlers) {
      const onSigterm = (): void => {
        logger.info('SIGTERM received, shutting down');
        if (loop === undefined) {
          this.finish(SUCCESS).catch(() => undefined);
        } else {
          loop.stop();
        }
      };
      process.on('SIGTERM', onSigterm);
      this.cleanups.push(() => process.off('SIGTERM', onSigterm));
    }

    const handler = await this.initializeOrReport(env, logger);
    if (this.exited) return this.halted();
    if (handler === undefined) return this.finish(FAILURE);
    try {
      loop = this.container.resolve<RuntimeLoop<TContext>>(RUNTIME_LOOP);
    } catch (error) {
      await this.reportInitError(error, logger);
      return this.finish(FAILURE);
    }

    try {
      await loop.run(handler);
    } catch (error) {
      if (this.exited) return this.halted();
      const document = toErrorDocument(error);
      logger.fatal(
        { errorType: document.errorType, errorMessage: document.errorMessage },
        `Fatal Runtime API failure, exiting: ${document.errorMessage}`,
      );
      return this.finish(FAILURE);
    }
    return this.finish(SUCCESS);
  }

  /** Runs the initializer; on failure reports it to `/init/error` and returns `undefined`. */
  private async initializeOrReport(
    env: LambdaEnvironment,
    logger: Logger,
  ): Promise<Handler<unknown, unknown, TContext> | undefined> {
    const removeCrashHandlers = this.processHandlers ? this.watchInitCrashes(logger) : () => undefined;
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
        await this.reportInitError(error, logger);
      }
      return undefined;
    } finally {
      removeCrashHandlers();
    }
  }

  // An exception thrown from a timer or an unawaited promise during init would otherwise end the
  // process without a report; after init these listeners are gone and /init/error is never used.
  private watchInitCrashes(logger: Logger): () => void {
    const onCrash = (error: unknown): void => {
      if (this.exited) return;
      this.reportInitError(error, logger)
        .then(() => this.finish(FAILURE))
        .catch(() => undefined);
    };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    return () => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    };
  }

  private async reportInitError(error: unknown, logger: Logger): Promise<void> {
    const document = toErrorDocument(error);
    logger.error(
      { errorType: document.errorType, errorMessage: document.errorMessage, stackTrace: document.stackTrace },
      'Init Error',
    );
    try {
      const transport = this.container.resolve<Transport>(TRANSPORT);
      const posted = await new RuntimeApiClient(transport).postInitError(document);
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
      this.logger?.flush?.();
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

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'undefined' : `a value of type ${typeof value}`;
}
