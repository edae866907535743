import {
  CLOCK,
  CONTEXT_BUILDER,
  ENVIRONMENT,
  ENVIRONMENT_READER,
  type Invocation,
  type InvocationContext,
  type LambdaEnvironment,
  LOGGER,
  PAYLOAD_CODEC,
  RUNTIME_LOOP,
  type RuntimeLoop,
  systemClock,
  TRANSPORT,
  TRANSPORT_FACTORY,
  type Transport,
} from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import { GotTransport } from '@lambda-runtime/transport-got';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import type { DependencyContainer } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContainer, DefaultRuntimeLoop, defaultRuntime, RuntimeExitError } from '../src/index.js';
import { memoryLogger, nextPolls, until } from './support.js';

describe('createContainer', () => {
  let emulator: RuntimeApiEmulator;
  let container: DependencyContainer;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    container = createContainer();
    // The tests' own process has no Lambda environment: read the emulator's instead.
    container.register(ENVIRONMENT_READER, {
      useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
    });
    container.register(LOGGER, { useValue: memoryLogger().logger });
  });

  afterEach(async () => {
    await emulator.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await container.dispose();
  });

  /** Runs the container's loop with `handler`, and closes everything after the test. */
  function runLoop(from: DependencyContainer, handler: (event: unknown, context: never) => unknown): void {
    const loop = from.resolve<RuntimeLoop>(RUNTIME_LOOP);
    const running = loop.run(handler as never);
    running.catch(() => undefined);
    cleanups.push(async () => {
      loop.stop();
      await running.catch(() => undefined);
      await from.resolve<Transport>(TRANSPORT).close();
    });
  }

  it('resolves every default when nothing is overridden', () => {
    const pristine = createContainer();
    const defaultLogger = createContainer();
    defaultLogger.register(ENVIRONMENT_READER, {
      useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
    });
    cleanups.push(
      () => pristine.dispose(),
      () => defaultLogger.dispose(),
    );

    const reader = pristine.resolve(ENVIRONMENT_READER);
    const environment = container.resolve<LambdaEnvironment>(ENVIRONMENT);
    const transport = container.resolve<Transport>(TRANSPORT);
    cleanups.push(() => transport.close());

    expect(reader).toBeInstanceOf(ProcessEnvironmentReader);
    expect(environment.runtimeApi).toBe(emulator.runtimeApi);
    expect(transport).toBeInstanceOf(SocketTransport);
    expect(container.resolve(CONTEXT_BUILDER)).toBeInstanceOf(DefaultContextBuilder);
    expect(container.resolve(PAYLOAD_CODEC)).toBeInstanceOf(DefaultPayloadCodec);
    expect(container.resolve(CLOCK)).toBe(systemClock);
    expect(container.resolve(RUNTIME_LOOP)).toBeInstanceOf(DefaultRuntimeLoop);
    expect(typeof defaultLogger.resolve<{ info: unknown }>(LOGGER).info).toBe('function');
  });

  it('builds each default once per container and separately in another container', () => {
    const other = createContainer();
    cleanups.push(() => other.dispose());
    other.register(ENVIRONMENT_READER, {
      useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
    });

    const first = container.resolve(ENVIRONMENT);
    const again = container.resolve(ENVIRONMENT);
    const elsewhere = other.resolve(ENVIRONMENT);

    expect(again).toBe(first);
    expect(elsewhere).not.toBe(first);
    expect(container.resolve(RUNTIME_LOOP)).toBe(container.resolve(RUNTIME_LOOP));
  });

  it('answers invocations through the default undici transport', async () => {
    runLoop(container, (_event, context: InvocationContext) => context.awsRequestId);

    const result = await emulator.invoke({});

    expect(result.json()).toBe(result.requestId);
  });

  it('swaps the transport to got with one registration', async () => {
    container.register(TRANSPORT_FACTORY, { useValue: (origin: string) => new GotTransport({ origin }) });

    runLoop(container, () => ({ via: 'got' }));
    const result = await emulator.invoke({});

    expect(container.resolve(TRANSPORT)).toBeInstanceOf(GotTransport);
    expect(result.json()).toEqual({ via: 'got' });
  });
});

describe('LambdaRuntime', () => {
  let emulator: RuntimeApiEmulator;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function runtimeFor<C extends InvocationContext>(
    initialize: Parameters<typeof defaultRuntime<unknown, unknown, C>>[0],
  ) {
    const runtime = defaultRuntime<unknown, unknown, C>(initialize)
      .register(ENVIRONMENT_READER, {
        useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
      })
      .register(LOGGER, { useValue: memoryLogger().logger });
    cleanups.push(() => runtime.container.dispose());
    return runtime;
  }

  function runLoop(
    container: DependencyContainer,
    handler: (event: unknown, context: never) => unknown,
  ): void {
    const loop = container.resolve<RuntimeLoop>(RUNTIME_LOOP);
    const running = loop.run(handler as never);
    running.catch(() => undefined);
    cleanups.push(async () => {
      loop.stop();
      await running.catch(() => undefined);
      await container.resolve<Transport>(TRANSPORT).close();
    });
  }

  it('swaps the transport to got in one line with withTransport', async () => {
    const runtime = runtimeFor(() => () => null).withTransport((origin) => new GotTransport({ origin }));

    runLoop(runtime.container, () => 'through got');
    const result = await emulator.invoke({});

    expect(runtime.container.resolve(TRANSPORT)).toBeInstanceOf(GotTransport);
    expect(result.json()).toBe('through got');
  });

  it('adds a field to every context with withContextBuilder', async () => {
    type StagedContext = InvocationContext & { stage: string };
    const runtime = runtimeFor<StagedContext>(() => (_event, context) => context.stage).withContextBuilder(
      (base, { env }) => ({
        build: (invocation: Invocation) =>
          Object.assign(base.build(invocation), { stage: `${env.functionName}-prod` }),
      }),
    );

    runLoop(runtime.container, (_event, context: StagedContext) => ({
      stage: context.stage,
      id: context.awsRequestId,
    }));
    const result = await emulator.invoke({});

    expect(result.json()).toEqual({ stage: 'test_function-prod', id: result.requestId });
  });

  it('wraps a registered context builder and an earlier wrapper in order', () => {
    const runtime = runtimeFor(() => () => null)
      .register(CONTEXT_BUILDER, {
        useValue: { build: (invocation: Invocation) => ({ awsRequestId: invocation.requestId }) as never },
      })
      .withContextBuilder((base) => ({ build: (i) => Object.assign(base.build(i), { first: 1 }) }))
      .withContextBuilder((base) => ({ build: (i) => Object.assign(base.build(i), { second: 2 }) }));

    const context = runtime.container
      .resolve<{ build(i: Invocation): unknown }>(CONTEXT_BUILDER)
      .build({ requestId: 'r-1' } as Invocation);

    expect(context).toEqual({ awsRequestId: 'r-1', first: 1, second: 2 });
  });

  it('item 30: run() reports an init failure and calls the injected exit with a non-zero code', async () => {
    const codes: number[] = [];
    const runtime = defaultRuntime(
      () => {
        throw new Error('no table');
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    )
      .register(ENVIRONMENT_READER, {
        useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
      })
      .register(LOGGER, { useValue: memoryLogger().logger });
    cleanups.push(async () => {
      await runtime.container.resolve<Transport>(TRANSPORT).close();
      await runtime.container.dispose();
    });

    const outcome = runtime.run();

    await expect(outcome).rejects.toBeInstanceOf(RuntimeExitError);
    expect(codes).toEqual([1]);
    expect(emulator.initError).toMatchObject({ errorType: 'Error', errorMessage: 'no table' });
    expect(nextPolls(emulator)).toEqual([]);
  });

  it('item 3: run() polls /next only after an async initializer resolved', async () => {
    let initialized = false;
    const codes: number[] = [];
    const runtime = defaultRuntime(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(nextPolls(emulator)).toEqual([]);
        initialized = true;
        return () => 'ready';
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    )
      .register(ENVIRONMENT_READER, {
        useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
      })
      .register(LOGGER, { useValue: memoryLogger().logger });
    const outcome = runtime.run();
    outcome.catch(() => undefined);
    cleanups.push(async () => {
      runtime.container.resolve<RuntimeLoop>(RUNTIME_LOOP).stop();
      await outcome.catch(() => undefined);
      await runtime.container.resolve<Transport>(TRANSPORT).close();
    });

    const result = await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);

    expect(initialized).toBe(true);
    expect(result.json()).toBe('ready');
  });
});
