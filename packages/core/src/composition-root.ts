// tsyringe needs the Reflect metadata polyfill before it loads; this must stay the first import, and
// this file is the only one that imports tsyringe.
import 'reflect-metadata';
import {
  CLOCK,
  type Clock,
  CONTEXT_BUILDER,
  type ContextBuilder,
  ENVIRONMENT,
  ENVIRONMENT_READER,
  type EnvironmentReader,
  type InvocationContext,
  type LambdaEnvironment,
  LOGGER,
  type Logger,
  PAYLOAD_CODEC,
  type PayloadCodec,
  RUNTIME_LOOP,
  type RuntimeLoop,
  systemClock,
  TRANSPORT_FACTORY,
  type Transport,
  type TransportFactory,
} from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { ProcessEnvironmentReader, redactSecrets } from '@lambda-runtime/env';
import { DeferredLogger, installConsole } from '@lambda-runtime/logger/deferred';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import {
  type DependencyContainer,
  type FactoryProvider,
  instancePerContainerCachingFactory,
  type Provider,
  container as rootContainer,
} from 'tsyringe';
import { ConcurrentRuntimeLoop, nextBackoff } from './concurrent-runtime-loop.js';
import { DefaultRuntimeLoop } from './default-runtime-loop.js';
import { installedInvocationScope } from './invoke-store-install.js';
import type {
  ContextBuilderWrapper,
  PartProvider,
  PartResolver,
  RuntimeComposition,
} from './lambda-runtime.js';
import { RuntimeApiClient } from './runtime-api-client.js';
import type { RuntimeParts } from './runtime-lifecycle.js';
import { StreamFallbackTransport } from './stream-fallback-transport.js';
import { pollerCount } from './worker-share.js';

// The one file that knows the container and the concrete implementations. Every default is a
// per-container cached factory, so that a registration in a child container replaces it for that
// container; no class relies on decorator metadata (each is built here with explicit arguments).

/** The transport that `TRANSPORT_FACTORY` built, once per container; the transport role's token is the factory. */
const BUILT_TRANSPORT = Symbol('@lambda-runtime/core/BuiltTransport');

function cached<T>(build: (container: DependencyContainer) => T): FactoryProvider<T> {
  return { useFactory: instancePerContainerCachingFactory(build) };
}

/**
 * The transport factory used unless one is registered under `TRANSPORT_FACTORY`: the purpose-built
 * socket transport, which costs next to nothing to load and per request, pipelining each `/next`
 * behind the previous answer. undici and got stay one `withTransport` call away.
 */
export const defaultTransportFactory: TransportFactory = (origin) =>
  new SocketTransport({ origin, pipelining: true });

/** The default `CONTEXT_BUILDER` provider (also the base that `withContextBuilder` wraps). */
const defaultContextBuilderProvider: FactoryProvider<ContextBuilder> = cached(
  (c) => new DefaultContextBuilder(c.resolve<LambdaEnvironment>(ENVIRONMENT), c.resolve<Clock>(CLOCK)),
);

/**
 * Registers every default in `container`: the environment reader and the environment it reads
 * (once), the logger, the transport factory (the socket transport to
 * `http://${AWS_LAMBDA_RUNTIME_API}`), the one {@link RuntimeApiClient} (registered under its class),
 * the context builder, the payload codec, the clock and the runtime loop.
 *
 * @example
 * ```ts
 * const container = registerDefaults(rootContainer.createChildContainer());
 * ```
 */
export function registerDefaults(container: DependencyContainer): DependencyContainer {
  container.register<EnvironmentReader>(
    ENVIRONMENT_READER,
    cached(() => new ProcessEnvironmentReader()),
  );
  container.register<LambdaEnvironment>(
    ENVIRONMENT,
    cached((c) => c.resolve<EnvironmentReader>(ENVIRONMENT_READER).read()),
  );
  container.register<Logger>(
    LOGGER,
    cached((c) => {
      const env = c.resolve<LambdaEnvironment>(ENVIRONMENT);
      // Lines go through the logger's own formatter; pino loads only if someone calls settle().
      return new DeferredLogger({
        format: env.logFormat,
        level: env.logLevel,
        redact: (line) => env.redact(line),
      });
    }),
  );
  container.register<TransportFactory>(TRANSPORT_FACTORY, { useValue: defaultTransportFactory });
  container.register<Transport>(
    BUILT_TRANSPORT,
    cached((c) => {
      const env = c.resolve<LambdaEnvironment>(ENVIRONMENT);
      return streamCapable(c.resolve<TransportFactory>(TRANSPORT_FACTORY), `http://${env.runtimeApi}`);
    }),
  );
  container.register<RuntimeApiClient>(
    RuntimeApiClient,
    cached((c) => {
      const env = c.resolve<LambdaEnvironment>(ENVIRONMENT);
      // The logger reports the malformed invocations the client answers on /error by itself.
      return new RuntimeApiClient(c.resolve<Transport>(BUILT_TRANSPORT), {
        redact: (text) => env.redact(text),
        logger: c.resolve<Logger>(LOGGER),
      });
    }),
  );
  container.register(CONTEXT_BUILDER, defaultContextBuilderProvider);
  container.register<PayloadCodec>(
    PAYLOAD_CODEC,
    cached(() => new DefaultPayloadCodec()),
  );
  container.register<Clock>(CLOCK, { useValue: systemClock });
  container.register<RuntimeLoop>(
    RUNTIME_LOOP,
    cached((c) => {
      const env = c.resolve<LambdaEnvironment>(ENVIRONMENT);
      const pollers = pollerCount(env);
      if (pollers > 1 || env.maxConcurrency > 1) return concurrentLoop(c, env, pollers);
      return new DefaultRuntimeLoop(
        c.resolve<Transport>(BUILT_TRANSPORT),
        c.resolve<ContextBuilder>(CONTEXT_BUILDER),
        c.resolve<PayloadCodec>(PAYLOAD_CODEC),
        c.resolve<Logger>(LOGGER),
        env,
        { client: c.resolve(RuntimeApiClient), invocationScope: installedInvocationScope() },
      );
    }),
  );
  return container;
}

/**
 * The user's transport, completed for response streaming by the default one when it cannot stream
 * (undici cannot send request trailers): a streaming handler then streams whichever transport was
 * chosen, instead of being answered buffered up to 6 MiB.
 */
function streamCapable(factory: TransportFactory, origin: string): Transport {
  const transport = factory(origin);
  if (transport.openStream !== undefined) return transport;
  return new StreamFallbackTransport(transport, new SocketTransport({ origin }));
}

/**
 * Lambda Managed Instances: one poller per invocation allowed at once, each with a transport of its
 * own (a parked long poll holds its connection), answering through the same per-invocation path as
 * the single loop. The first poller speaks through the one client (which posts `/init/error`).
 */
function concurrentLoop(c: DependencyContainer, env: LambdaEnvironment, pollers: number): RuntimeLoop {
  const contextBuilder = c.resolve<ContextBuilder>(CONTEXT_BUILDER);
  const codec = c.resolve<PayloadCodec>(PAYLOAD_CODEC);
  const logger = c.resolve<Logger>(LOGGER);
  const factory = c.resolve<TransportFactory>(TRANSPORT_FACTORY);
  const invocationScope = installedInvocationScope();
  const loops = Array.from({ length: Math.max(1, pollers) }, (_, index) => {
    const transport =
      index === 0
        ? c.resolve<Transport>(BUILT_TRANSPORT)
        : streamCapable(factory, `http://${env.runtimeApi}`);
    const client =
      index === 0
        ? c.resolve(RuntimeApiClient)
        : new RuntimeApiClient(transport, { redact: (text) => env.redact(text), logger });
    return new DefaultRuntimeLoop(transport, contextBuilder, codec, logger, env, {
      client,
      invocationScope,
      retryNext: nextBackoff(),
      postFailures: 'logged',
      waitForEmptyEventLoop: false,
    });
  });
  return new ConcurrentRuntimeLoop(loops, logger);
}

/**
 * A fresh child of the global tsyringe container holding every default. Override any part by
 * registering its token on it; dispose it when done.
 *
 * @example
 * ```ts
 * const container = createContainer();
 * container.register(TRANSPORT_FACTORY, { useValue: (origin) => new GotTransport({ origin }) });
 * const loop = container.resolve<RuntimeLoop>(RUNTIME_LOOP);
 * ```
 */
export function createContainer(): DependencyContainer {
  return registerDefaults(rootContainer.createChildContainer());
}

/**
 * The default {@link RuntimeComposition}: a container with every default (from
 * {@link createContainer} unless given), where a `LambdaRuntime` registers its overrides and from
 * which it resolves the parts of a run. Pass your own container to override parts with any
 * tsyringe provider.
 *
 * @example
 * ```ts
 * const container = createContainer();
 * container.register(PAYLOAD_CODEC, { useClass: MyCodec });
 * new LambdaRuntime(initialize, new ContainerComposition(container)).run();
 * ```
 */
export class ContainerComposition implements RuntimeComposition {
  /** The container holding the parts; registrations on it override the defaults. */
  readonly container: DependencyContainer;
  // What CONTEXT_BUILDER is registered with now: the base that the next wrapper wraps.
  private contextBuilderProvider: Provider<ContextBuilder> = defaultContextBuilderProvider;
  private wrapperCount = 0;

  constructor(container: DependencyContainer = createContainer()) {
    this.container = container;
  }

  register<T>(token: symbol, provider: PartProvider<T>): void {
    const registered: Provider<T> =
      'useValue' in provider
        ? { useValue: provider.useValue }
        : cached((c) => provider.useFactory(resolverOf(c)));
    registerProvider(this.container, token, registered);
    if (token === CONTEXT_BUILDER) {
      this.contextBuilderProvider = registered as Provider<ContextBuilder>;
    }
  }

  wrapContextBuilder(wrap: ContextBuilderWrapper<InvocationContext>): void {
    // The builder being wrapped moves to a private token so the new CONTEXT_BUILDER can resolve it.
    this.wrapperCount += 1;
    const baseToken = Symbol(`@lambda-runtime/core/ContextBuilderBase#${this.wrapperCount}`);
    registerProvider(this.container, baseToken, this.contextBuilderProvider);
    const provider = cached<ContextBuilder>(
      (c) =>
        wrap(c.resolve<ContextBuilder>(baseToken), {
          env: c.resolve<LambdaEnvironment>(ENVIRONMENT),
          logger: c.resolve<Logger>(LOGGER),
        }) as ContextBuilder,
    );
    this.container.register(CONTEXT_BUILDER, provider);
    this.contextBuilderProvider = provider;
  }

  redactStartupFailure(text: string): string {
    // No environment could be read, so the secret variables are read directly.
    return redactSecrets(text);
  }

  resolveParts(): RuntimeParts {
    const container = this.container;
    // In this order: an unusable environment is what the one stderr line must name.
    const environment = container.resolve<LambdaEnvironment>(ENVIRONMENT);
    const logger = container.resolve<Logger>(LOGGER);
    const transport = container.resolve<Transport>(BUILT_TRANSPORT);
    const client = container.resolve(RuntimeApiClient);
    return {
      environment,
      logger,
      transport,
      client,
      createLoop: () => container.resolve<RuntimeLoop>(RUNTIME_LOOP),
      installConsole,
    };
  }
}

function resolverOf(container: DependencyContainer): PartResolver {
  return { resolve: <T>(token: symbol): T => container.resolve<T>(token) };
}

function registerProvider<T>(container: DependencyContainer, token: symbol, provider: Provider<T>): void {
  // tsyringe's overloads take one provider kind each; a Provider union is valid for all of them.
  (container.register as (token: symbol, provider: Provider<T>) => DependencyContainer).call(
    container,
    token,
    provider,
  );
}
