import {
  CLOCK,
  CONTEXT_BUILDER,
  type ContextBuilder,
  ENVIRONMENT,
  ENVIRONMENT_READER,
  type EnvironmentReader,
  type LambdaEnvironment,
  LOGGER,
  type Logger,
  PAYLOAD_CODEC,
  RUNTIME_LOOP,
  systemClock,
  TRANSPORT,
  TRANSPORT_FACTORY,
  type Transport,
  type TransportFactory,
} from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import { DeferredLogger, installConsole } from '@lambda-runtime/logger/deferred';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import {
  type DependencyContainer,
  type FactoryProvider,
  instancePerContainerCachingFactory,
  container as rootContainer,
} from 'tsyringe';
import { DefaultRuntimeLoop } from './default-runtime-loop.js';
import type { LambdaRuntimeDependencies } from './lambda-runtime.js';

// The one file that knows the concrete implementations. Everything is a per-container cached
// factory so that a registration in a child container replaces the default for that container.

function cached<T>(build: (container: DependencyContainer) => T): FactoryProvider<T> {
  return { useFactory: instancePerContainerCachingFactory(build) };
}

/**
 * The transport factory used unless one is registered under `TRANSPORT_FACTORY`: the purpose-built
 * socket transport, which costs next to nothing to load and per request, pipelining each `/next`
 * behind the previous answer. undici and got stay one
 * `withTransport` call away.
 */
export const defaultTransportFactory: TransportFactory = (origin) =>
  new SocketTransport({ origin, pipelining: true });

/** The default `CONTEXT_BUILDER` provider (also the base that `withContextBuilder` wraps). */
export const defaultContextBuilderProvider: FactoryProvider<ContextBuilder> = cached(
  (c) => new DefaultContextBuilder(c.resolve<LambdaEnvironment>(ENVIRONMENT), c.resolve(CLOCK)),
);

/**
 * Registers every default in `container`: the environment reader and the environment it reads
 * (once), the logger, the socket transport to `http://${AWS_LAMBDA_RUNTIME_API}`, the context
 * builder, the payload codec, the clock and the runtime loop.
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
      // pino loads once the first /next is on the wire (LambdaRuntime settles it), not before.
      return new DeferredLogger({
        format: env.logFormat,
        level: env.logLevel,
        redact: (line) => env.redact(line),
      });
    }),
  );
  container.register<TransportFactory>(TRANSPORT_FACTORY, { useValue: defaultTransportFactory });
  container.register<Transport>(
    TRANSPORT,
    cached((c) => {
      const env = c.resolve<LambdaEnvironment>(ENVIRONMENT);
      return c.resolve<TransportFactory>(TRANSPORT_FACTORY)(`http://${env.runtimeApi}`);
    }),
  );
  container.register(CONTEXT_BUILDER, defaultContextBuilderProvider);
  container.register(
    PAYLOAD_CODEC,
    cached(() => new DefaultPayloadCodec()),
  );
  container.register(CLOCK, { useValue: systemClock });
  container.register(
    RUNTIME_LOOP,
    cached((c) => c.resolve(DefaultRuntimeLoop)),
  );
  return container;
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

/** What `defaultRuntime` hands to a {@link LambdaRuntime}: a fresh container and the default helpers. */
export function defaultRuntimeDependencies(): LambdaRuntimeDependencies {
  return {
    container: createContainer(),
    contextBuilderProvider: defaultContextBuilderProvider,
    installConsole,
  };
}
