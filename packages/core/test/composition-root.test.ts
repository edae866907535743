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
import {
  ContainerComposition,
  createContainer,
  DefaultRuntimeLoop,
  LambdaRuntime,
  type LambdaRuntimeOptions,
  RuntimeApiClient,
  RuntimeExitError,
} from '../src/index.js';
import { memoryLogger, nextPolls, until } from './support.js';

/** The transport the container built from its `TRANSPORT_FACTORY` (the one the loop and client use). */
/** Runs a runtime that cannot start, returning what run() rejected with and what it wrote to stderr. */
async function runCapturingStderr(runtime: {
  run(): Promise<never>;
}): Promise<{ outcome: unknown; written: string[] }> {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const outcome = await runtime.run().catch((error: unknown) => error);
    return { outcome, written };
  } finally {
    process.stderr.write = write;
  }
}

function transportOf(container: DependencyContainer): Transport {
  return new ContainerComposition(container).resolveParts().transport;
}

/** A client that records which Runtime API calls went through it. */
class RecordingClient extends RuntimeApiClient {
  readonly calls: string[] = [];

  override next(): ReturnType<RuntimeApiClient['next']> {
    this.calls.push('next');
    return super.next();
  }

  override postResponse(...args: Parameters<RuntimeApiClient['postResponse']>) {
    this.calls.push('response');
    return super.postResponse(...args);
  }

  override postInitError(...args: Parameters<RuntimeApiClient['postInitError']>) {
    this.calls.push('init-error');
    return super.postInitError(...args);
  }
}

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
      await transportOf(from).close();
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
    const parts = new ContainerComposition(container).resolveParts();
    cleanups.push(() => parts.transport.close());

    expect(reader).toBeInstanceOf(ProcessEnvironmentReader);
    expect(environment.runtimeApi).toBe(emulator.runtimeApi);
    expect(parts.environment).toBe(environment);
    expect(parts.transport).toBeInstanceOf(SocketTransport);
    expect(parts.client).toBe(container.resolve(RuntimeApiClient));
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

  it('answers invocations through the default socket transport', async () => {
    runLoop(container, (_event, context: InvocationContext) => context.awsRequestId);

    const result = await emulator.invoke({});

    expect(result.json()).toBe(result.requestId);
  });

  it('swaps the transport to got with one registration', async () => {
    container.register(TRANSPORT_FACTORY, { useValue: (origin: string) => new GotTransport({ origin }) });

    runLoop(container, () => ({ via: 'got' }));
    const result = await emulator.invoke({});

    expect(transportOf(container)).toBeInstanceOf(GotTransport);
    expect(result.json()).toEqual({ via: 'got' });
  });

  it('gives the default loop the one RuntimeApiClient that the parts carry', async () => {
    const client = new RecordingClient(transportOf(container));
    container.register(RuntimeApiClient, { useValue: client });

    runLoop(container, () => 'recorded');
    const result = await emulator.invoke({});

    expect(new ContainerComposition(container).resolveParts().client).toBe(client);
    expect(result.json()).toBe('recorded');
    expect(client.calls.slice(0, 2)).toEqual(['next', 'response']);
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

  /** A runtime over a container the test can inspect, reading the emulator's environment. */
  function runtimeFor<C extends InvocationContext>(
    initialize: (options: never) => unknown,
    options: LambdaRuntimeOptions = {},
  ): { runtime: LambdaRuntime<C>; container: DependencyContainer } {
    const composition = new ContainerComposition();
    const runtime = new LambdaRuntime<C>(initialize as never, composition, options)
      .register(ENVIRONMENT_READER, {
        useValue: new ProcessEnvironmentReader({ env: emulator.environment() }),
      })
      .register(LOGGER, { useValue: memoryLogger().logger });
    cleanups.push(() => composition.container.dispose());
    return { runtime, container: composition.container };
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
      await transportOf(container).close();
    });
  }

  it('swaps the transport to got in one line with withTransport', async () => {
    const { runtime, container } = runtimeFor(() => () => null);

    runtime.withTransport((origin) => new GotTransport({ origin }));
    runLoop(container, () => 'through got');
    const result = await emulator.invoke({});

    expect(transportOf(container)).toBeInstanceOf(GotTransport);
    expect(result.json()).toBe('through got');
  });

  it('swaps the transport to got with one registration of TRANSPORT_FACTORY', async () => {
    const { runtime, container } = runtimeFor(() => () => null);

    runtime.register(TRANSPORT_FACTORY, { useValue: (origin: string) => new GotTransport({ origin }) });
    runLoop(container, () => 'registered got');
    const result = await emulator.invoke({});

    expect(transportOf(container)).toBeInstanceOf(GotTransport);
    expect(result.json()).toBe('registered got');
  });

  it('builds a part from a registered factory once, with the parts it resolves', () => {
    const { runtime, container } = runtimeFor(() => () => null);
    let built = 0;

    runtime.register(PAYLOAD_CODEC, {
      useFactory: (parts) => {
        built += 1;
        return { codec: 'mine', region: parts.resolve<LambdaEnvironment>(ENVIRONMENT).region };
      },
    });
    const first = container.resolve(PAYLOAD_CODEC);
    const again = container.resolve(PAYLOAD_CODEC);

    expect(first).toEqual({
      codec: 'mine',
      region: container.resolve<LambdaEnvironment>(ENVIRONMENT).region,
    });
    expect(again).toBe(first);
    expect(built).toBe(1);
  });

  it('adds a field to every context with withContextBuilder', async () => {
    type StagedContext = InvocationContext & { stage: string };
    const { runtime, container } = runtimeFor<StagedContext>(() => () => null);

    runtime.withContextBuilder((base, { env }) => ({
      build: (invocation: Invocation) =>
        Object.assign(base.build(invocation), { stage: `${env.functionName}-prod` }),
    }));
    runLoop(container, (_event, context: StagedContext) => ({
      stage: context.stage,
      id: context.awsRequestId,
    }));
    const result = await emulator.invoke({});

    expect(result.json()).toEqual({ stage: 'test_function-prod', id: result.requestId });
  });

  it('wraps a registered context builder and an earlier wrapper in order', () => {
    const { runtime, container } = runtimeFor(() => () => null);

    runtime
      .register(CONTEXT_BUILDER, {
        useValue: { build: (invocation: Invocation) => ({ awsRequestId: invocation.requestId }) as never },
      })
      .withContextBuilder((base) => ({ build: (i) => Object.assign(base.build(i), { first: 1 }) }))
      .withContextBuilder((base) => ({ build: (i) => Object.assign(base.build(i), { second: 2 }) }));
    const context = container
      .resolve<{ build(i: Invocation): unknown }>(CONTEXT_BUILDER)
      .build({ requestId: 'r-1' } as Invocation);

    expect(context).toEqual({ awsRequestId: 'r-1', first: 1, second: 2 });
  });

  it('item 30: run() reports an init failure and calls the injected exit with a non-zero code', async () => {
    const codes: number[] = [];
    const { runtime, container } = runtimeFor(
      () => {
        throw new Error('no table');
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    );
    cleanups.push(() => transportOf(container).close());

    const outcome = runtime.run();

    await expect(outcome).rejects.toBeInstanceOf(RuntimeExitError);
    expect(codes).toEqual([1]);
    expect(emulator.initError).toMatchObject({ errorType: 'Error', errorMessage: 'no table' });
    expect(nextPolls(emulator)).toEqual([]);
  });

  it('item 30: posts /init/error through the one RuntimeApiClient the loop would use', async () => {
    const codes: number[] = [];
    const { runtime, container } = runtimeFor(
      () => {
        throw new Error('no table');
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    );
    const client = new RecordingClient(transportOf(container));
    container.register(RuntimeApiClient, { useValue: client });
    cleanups.push(() => transportOf(container).close());

    await runtime.run().catch(() => undefined);

    expect(client.calls).toEqual(['init-error']);
    expect(emulator.initError).toMatchObject({ errorMessage: 'no table' });
    expect(codes).toEqual([1]);
  });

  it('item 1: run() writes one line to stderr and exits 1 when the environment is unusable', async () => {
    const codes: number[] = [];
    const composition = new ContainerComposition();
    cleanups.push(() => composition.container.dispose());
    const runtime = new LambdaRuntime(() => () => null, composition, {
      exit: (code) => codes.push(code),
      processHandlers: false,
    }).register(ENVIRONMENT_READER, {
      useValue: new ProcessEnvironmentReader({
        env: emulator.environment({ AWS_LAMBDA_RUNTIME_API: undefined }),
      }),
    });

    const { outcome, written } = await runCapturingStderr(runtime);

    expect(outcome).toBeInstanceOf(RuntimeExitError);
    expect(codes).toEqual([1]);
    expect(written).toEqual([
      expect.stringMatching(/^FATAL lambda-runtime cannot start: .*AWS_LAMBDA_RUNTIME_API/),
    ]);
    expect(emulator.requests).toEqual([]);
  });

  it('run() writes one line to stderr and exits 1, without running the initializer, when the transport cannot be built', async () => {
    const codes: number[] = [];
    let initialized = false;
    const { runtime } = runtimeFor(
      () => {
        initialized = true;
        return () => null;
      },
      { exit: (code) => codes.push(code), processHandlers: false, routeConsole: false },
    );
    runtime.withTransport(() => {
      throw new RangeError('no such origin');
    });

    const { outcome, written } = await runCapturingStderr(runtime);

    expect(outcome).toBeInstanceOf(RuntimeExitError);
    expect(codes).toEqual([1]);
    expect(initialized).toBe(false);
    expect(written).toEqual(['FATAL lambda-runtime cannot start: no such origin\n']);
    expect(emulator.requests).toEqual([]);
  });

  it('run() redacts the secret variables from the line it writes when the runtime cannot start', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = secret;
    const { runtime } = runtimeFor(() => () => null, {
      exit: () => undefined,
      processHandlers: false,
      routeConsole: false,
    });
    runtime.withTransport(() => {
      throw new Error(`cannot sign with ${secret}`);
    });

    const { written } = await runCapturingStderr(runtime);
    if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved;

    expect(written).toEqual(['FATAL lambda-runtime cannot start: cannot sign with [redacted]\n']);
  });

  it('item 3: run() polls /next only after an async initializer resolved', async () => {
    let initialized = false;
    const codes: number[] = [];
    const { runtime, container } = runtimeFor(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(nextPolls(emulator)).toEqual([]);
        initialized = true;
        return () => 'ready';
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    );
    const outcome = runtime.run();
    outcome.catch(() => undefined);
    cleanups.push(async () => {
      container.resolve<RuntimeLoop>(RUNTIME_LOOP).stop();
      await outcome.catch(() => undefined);
      await transportOf(container).close();
    });

    const result = await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);

    expect(initialized).toBe(true);
    expect(result.json()).toBe('ready');
  });
});
