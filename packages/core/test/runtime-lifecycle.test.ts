import type { Initializer, LambdaEnvironment, RuntimeLoop } from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefaultRuntimeLoop, RuntimeApiClient, RuntimeExitError, RuntimeLifecycle } from '../src/index.js';
import { memoryLogger, nextPolls, readEnvironment, until } from './support.js';

// The lifecycle wired by hand, with no container anywhere: what the composition root does for
// defaultRuntime(), written out.
describe('RuntimeLifecycle', () => {
  let emulator: RuntimeApiEmulator;
  let transport: SocketTransport;
  let environment: LambdaEnvironment;
  let loop: RuntimeLoop | undefined;
  const codes: number[] = [];

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    environment = readEnvironment(emulator);
    transport = new SocketTransport({ origin: emulator.origin, pipelining: true });
    codes.length = 0;
  });

  afterEach(async () => {
    loop?.stop();
    loop = undefined;
    await emulator.close();
    await transport.close();
  });

  function lifecycle(client = new RuntimeApiClient(transport)) {
    const { logger, lines } = memoryLogger();
    const runtime = new RuntimeLifecycle(
      {
        environment,
        logger,
        transport,
        client,
        createLoop: () => {
          loop = new DefaultRuntimeLoop(
            transport,
            new DefaultContextBuilder(environment),
            new DefaultPayloadCodec(),
            logger,
            environment,
            { client },
          );
          return loop;
        },
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    );
    return { runtime, lines };
  }

  it('runs the initializer, then answers invocations, from plain constructor arguments', async () => {
    const { runtime } = lifecycle();
    const running = runtime.run((() => (event: { n: number }) => event.n + 1) as Initializer);
    running.catch(() => undefined);

    const result = await emulator.invoke({ n: 41 });
    await until(() => nextPolls(emulator).length === 2);
    loop?.stop();

    expect(result.json()).toBe(42);
    await expect(running).rejects.toEqual(new RuntimeExitError(0));
    expect(codes).toEqual([0]);
  });

  it('item 30: posts an init failure through the client it was given, then exits 1', async () => {
    const used: string[] = [];
    const client = new (class extends RuntimeApiClient {
      override postInitError(...args: Parameters<RuntimeApiClient['postInitError']>) {
        used.push('init-error');
        return super.postInitError(...args);
      }
    })(transport);
    const { runtime, lines } = lifecycle(client);

    const outcome = await runtime
      .run(() => Promise.reject(new RangeError('no table')))
      .catch((e: unknown) => e);

    expect(outcome).toEqual(new RuntimeExitError(1));
    expect(codes).toEqual([1]);
    expect(used).toEqual(['init-error']);
    expect(emulator.initError).toMatchObject({ errorType: 'RangeError', errorMessage: 'no table' });
    expect(lines().map((line) => line.msg ?? line.message)).toContain('Init Error');
    expect(nextPolls(emulator)).toEqual([]);
  });

  it('item 30: reports a loop that cannot be built as an init error, before any /next', async () => {
    const { logger } = memoryLogger();
    const runtime = new RuntimeLifecycle(
      {
        environment,
        logger,
        transport,
        client: new RuntimeApiClient(transport),
        createLoop: () => {
          throw new TypeError('the codec is misconfigured');
        },
      },
      { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
    );

    await runtime.run(() => () => null).catch(() => undefined);

    expect(codes).toEqual([1]);
    expect(emulator.initError).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'the codec is misconfigured',
    });
    expect(nextPolls(emulator)).toEqual([]);
  });
});
