import type { Initializer } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { RuntimeApiClient, RuntimeExitError, RuntimeLifecycle } from '../src/index.js';
import { memoryLogger, nextPolls, until } from './support.js';
import { useWiredLifecycle } from './wired-lifecycle.js';

// The lifecycle wired by hand, with no container anywhere: what the composition root does for
// defaultRuntime(), written out.
describe('RuntimeLifecycle', () => {
  const wired = useWiredLifecycle();

  it('runs the initializer, then answers invocations, from plain constructor arguments', async () => {
    const { runtime } = wired.lifecycle();
    const running = runtime.run((() => (event: { n: number }) => event.n + 1) as Initializer);
    running.catch(() => undefined);

    const result = await wired.emulator.invoke({ n: 41 });
    await until(() => nextPolls(wired.emulator).length === 2);
    wired.loop?.stop();

    expect(result.json()).toBe(42);
    await expect(running).rejects.toEqual(new RuntimeExitError(0));
    expect(wired.codes).toEqual([0]);
  });

  it('item 30: posts an init failure through the client it was given, then exits 1', async () => {
    const used: string[] = [];
    const client = new (class extends RuntimeApiClient {
      override postInitError(...args: Parameters<RuntimeApiClient['postInitError']>) {
        used.push('init-error');
        return super.postInitError(...args);
      }
    })(wired.transport);
    const { runtime, lines } = wired.lifecycle(client);

    const outcome = await runtime
      .run(() => Promise.reject(new RangeError('no table')))
      .catch((e: unknown) => e);

    expect(outcome).toEqual(new RuntimeExitError(1));
    expect(wired.codes).toEqual([1]);
    expect(used).toEqual(['init-error']);
    expect(wired.emulator.initError).toMatchObject({ errorType: 'RangeError', errorMessage: 'no table' });
    expect(lines().map((line) => line.msg ?? line.message)).toContain('Init Error');
    expect(nextPolls(wired.emulator)).toEqual([]);
  });

  it('item 30: reports a loop that cannot be built as an init error, before any /next', async () => {
    const { logger } = memoryLogger();
    const runtime = new RuntimeLifecycle(
      {
        environment: wired.environment,
        logger,
        transport: wired.transport,
        client: new RuntimeApiClient(wired.transport),
        createLoop: () => {
          throw new TypeError('the codec is misconfigured');
        },
      },
      { exit: (code) => wired.codes.push(code), routeConsole: false, processHandlers: false },
    );

    await runtime.run(() => () => null).catch(() => undefined);

    expect(wired.codes).toEqual([1]);
    expect(wired.emulator.initError).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'the codec is misconfigured',
    });
    expect(nextPolls(wired.emulator)).toEqual([]);
  });
});
