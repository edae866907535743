import {
  type ContextBuilder,
  type Initializer,
  type InvocationContext,
  type LambdaEnvironment,
  type Logger,
  TRANSPORT_FACTORY,
  type TransportFactory,
} from '@lambda-runtime/api';
import { installInvokeStore } from './invoke-store-install.js';
import {
  type LambdaRuntimeOptions,
  RuntimeLifecycle,
  type RuntimeParts,
  type ShutdownHook,
} from './runtime-lifecycle.js';
import { runWorkerPool } from './worker-pool.js';
import { poolSize, poolWorkerShare } from './worker-share.js';

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

/** Resolves other parts by token, inside a {@link PartProvider} factory. */
export interface PartResolver {
  resolve<T>(token: symbol): T;
}

/**
 * How a part is provided for a token of `@lambda-runtime/api`: a ready value, or a factory called
 * once per runtime (the first time the part is needed) that may resolve the parts it needs.
 */
export type PartProvider<T> = { readonly useValue: T } | { readonly useFactory: (parts: PartResolver) => T };

/**
 * Where a {@link LambdaRuntime} puts its overrides and gets its parts from: the composition root.
 * The default one, `ContainerComposition`, is a tsyringe child container holding every default.
 */
export interface RuntimeComposition {
  /** Replaces the part registered for `token`. */
  register<T>(token: symbol, provider: PartProvider<T>): void;
  /** Wraps the context builder registered now (the default, a registered one or an earlier wrapper). */
  wrapContextBuilder(wrap: ContextBuilderWrapper<InvocationContext>): void;
  /**
   * Builds the parts of a run: the environment, the logger, the transport and the one client at
   * once, the loop when the lifecycle asks. Throws when one cannot be built (such as an unusable
   * environment).
   */
  resolveParts(): RuntimeParts;
  /** Redacts secrets from the one line written when {@link resolveParts} fails (optional). */
  redactStartupFailure?(text: string): string;
}

/**
 * A configured runtime: chainable overrides, then `run()`. Usually obtained from
 * `defaultRuntime(initialize)`; it knows no container (its {@link RuntimeComposition} does) and
 * hands the parts to a {@link RuntimeLifecycle} when it runs.
 *
 * @example
 * ```ts
 * defaultRuntime(async ({ env }) => handler)
 *   .withTransport((origin) => new GotTransport({ origin }))
 *   .withContextBuilder((base) => ({ build: (invocation) => Object.assign(base.build(invocation), { stage: 'prod' }) }))
 *   .onShutdown(async ({ signal }) => { await metrics.flush({ signal }); })
 *   .run();
 * ```
 */
export class LambdaRuntime<TContext extends InvocationContext = InvocationContext> {
  private readonly initialize: Initializer<unknown, unknown, TContext>;
  private readonly composition: RuntimeComposition;
  private readonly options: LambdaRuntimeOptions;
  private readonly shutdownHooks: ShutdownHook[] = [];
  private started = false;

  /**
   * @param initialize - runs once before the first invocation and returns the handler.
   * @param composition - the parts and where overrides go (`new ContainerComposition()` for the defaults).
   * @param options - process-level behaviour (exit function, console routing, signal handling).
   */
  constructor(
    initialize: Initializer<unknown, unknown, TContext>,
    composition: RuntimeComposition,
    options: LambdaRuntimeOptions = {},
  ) {
    this.initialize = initialize;
    this.composition = composition;
    this.options = options;
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
   * Provides the part for a token of `@lambda-runtime/api`, replacing the default.
   *
   * @example
   * ```ts
   * runtime.register(PAYLOAD_CODEC, { useValue: new MyCodec() });
   * runtime.register(TRANSPORT_FACTORY, { useValue: (origin) => new GotTransport({ origin }) });
   * ```
   */
  register<T>(token: symbol, provider: PartProvider<T>): this {
    this.composition.register(token, provider);
    return this;
  }

  /**
   * Builds the transport with `factory(origin)` instead of the default socket transport; `origin` is
   * `http://${AWS_LAMBDA_RUNTIME_API}`. The same as registering `factory` for `TRANSPORT_FACTORY`.
   *
   * @example
   * ```ts
   * runtime.withTransport((origin) => new GotTransport({ origin }));
   * ```
   */
  withTransport(factory: TransportFactory): this {
    return this.register<TransportFactory>(TRANSPORT_FACTORY, { useValue: factory });
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
    this.composition.wrapContextBuilder(wrap as ContextBuilderWrapper<InvocationContext>);
    return this;
  }

  /**
   * Starts the runtime: builds the parts (exit 1 with one clear line on stderr if the environment
   * is unusable), runs `initialize` once (a throw, a rejection or a non-function result goes to
   * `/init/error`, then exit 1), then loops over invocations until `SIGTERM` (exit 0) or a fatal
   * Runtime API failure (exit 1). Never resolves.
   *
   * @example
   * ```ts
   * defaultRuntime(() => async (event) => ({ ok: true })).run();
   * ```
   */
  async run(): Promise<never> {
    if (this.started) {
      throw new Error('LambdaRuntime.run() was already called');
    }
    this.started = true;
    let parts: RuntimeParts<TContext>;
    try {
      parts = this.composition.resolveParts() as unknown as RuntimeParts<TContext>;
    } catch (error) {
      return RuntimeLifecycle.failToStart(error, {
        ...this.options,
        redact: (text) => this.composition.redactStartupFailure?.(text) ?? text,
      });
    }
    const workers = poolSize(parts.environment);
    if (workers > 0) return runWorkerPool(parts, workers, this.options, this.shutdownHooks.length > 0);
    // Before the function's code loads: Powertools reads the store as soon as it logs.
    await installInvokeStore(parts.environment);
    const lifecycle = new RuntimeLifecycle<TContext>(parts, {
      ...this.options,
      // In a worker of the pool, the main thread asks for SIGTERM and passes it on.
      ...(poolWorkerShare(parts.environment) === undefined ? {} : { receiveSigterm: false }),
      shutdownHooks: this.shutdownHooks,
    });
    return lifecycle.run(this.initialize);
  }
}
