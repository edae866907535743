import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/managed-instances.mjs', import.meta.url));
const storeFixture = fileURLToPath(new URL('./fixtures/invoke-store.mjs', import.meta.url));
const streamingFixture = fileURLToPath(new URL('./fixtures/concurrent-streaming.mjs', import.meta.url));

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

function logLines(runtime: SpawnedRuntime): LogLine[] {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

// The same checklist items as managed-instances.test.ts, against the emulator's Managed Instances mode.
describe('Lambda Managed Instances (the emulator in Managed Instances mode)', () => {
  let emulator: RuntimeApiEmulator;

  afterEach(async () => {
    await emulator.close();
  });

  async function start(
    maxConcurrency: number,
    env: Record<string, string | undefined> = {},
    script = fixture,
  ): Promise<SpawnedRuntime> {
    emulator = await RuntimeApiEmulator.start({ maxConcurrency, timeoutSeconds: 30 });
    return emulator.spawn({ command: process.execPath, args: [script], env });
  }

  it('items 40, 41: keeps N long polls, runs N at once, answers each on its own id in interleaved order', async () => {
    await start(4);
    await emulator.waitForPendingNext(4);

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        emulator.invoke({ index, barrier: 4, waitMs: (8 - index) * 10 }),
      ),
    );

    expect(emulator.maxConcurrentNext).toBe(4);
    expect(emulator.maxInFlight).toBe(4);
    results.forEach((result, index) => {
      expect(result.status).toBe('success');
      expect(result.json()).toMatchObject({ index, requestId: result.requestId });
    });
  });

  it('items 33, 41: streams several responses at once, each on its own id', async () => {
    await start(3, {}, streamingFixture);
    await emulator.waitForPendingNext(3);

    const streams = [0, 1, 2].map((id) => emulator.invokeStream({ id, barrier: 3 }));
    const bodies = await Promise.all(streams.map(async (stream) => (await stream.collect()).body.toString()));
    const results = await Promise.all(streams.map((stream) => stream.result));

    expect(emulator.maxInFlight).toBe(3);
    results.forEach((result, id) => {
      expect(result.status).toBe('success');
      expect(streams[id]?.streamed).toBe(true);
      expect(bodies[id]).toBe(`${id}:start ${id}:end ${result.requestId}`);
    });
  });

  it('item 42: each invocation sees its own trace and tenant id in the invoke store, and _X_AMZN_TRACE_ID stays unset', async () => {
    await start(3, {}, storeFixture);
    await emulator.waitForPendingNext(3);

    const results = await Promise.all(
      [0, 1, 2].map((index) =>
        emulator.invoke(
          { waitMs: (3 - index) * 30 },
          { traceId: `Root=1-0-${index}`, tenantId: `tenant-${index}` },
        ),
      ),
    );

    results.forEach((result, index) => {
      const own = { requestId: result.requestId, traceId: `Root=1-0-${index}`, tenantId: `tenant-${index}` };
      expect(result.json()).toMatchObject({
        atStart: own,
        atEnd: own,
        traceEnv: null,
        installedBefore: 'kept',
      });
    });
  });

  it('item 43: logs JSON though Text is asked for, each line with its own request id', async () => {
    const runtime = await start(4, { AWS_LAMBDA_LOG_FORMAT: 'Text' });
    await emulator.waitForPendingNext(4);

    const results = await Promise.all([0, 1, 2, 3].map((index) => emulator.invoke({ index, barrier: 4 })));
    await until(
      () => logLines(runtime).filter((line) => line.message.startsWith('console after')).length === 4,
    );

    const lines = logLines(runtime);
    expect(runtime.stdout.split('\n').filter((line) => line.length > 0 && !line.startsWith('{'))).toEqual([]);
    results.forEach((result, index) => {
      const own = lines.filter((line) => line.index === index || line.message.endsWith(`wait of ${index}`));
      expect(own).toHaveLength(4);
      expect(own.every((line) => line.requestId === result.requestId)).toBe(true);
    });
  });

  it('item 44: retries a failed /next with backoff and logs a failed answer, the pollers going on', async () => {
    const runtime = await start(2);
    await emulator.waitForPendingNext(2);
    emulator.failNext('response', 500);

    // The emulator keeps an invocation whose answer it refused with 500 until its deadline.
    const first = await emulator.invoke({ index: 0 }, { deadlineMs: Date.now() + 1_000 }).then(
      () => undefined,
      (error: unknown) => error as { requestId?: string },
    );
    emulator.failNext('next', 503);
    emulator.resetNext();
    const later = await Promise.all([1, 2, 3].map((index) => emulator.invoke({ index })));
    await emulator.waitForPendingNext(2);

    expect(first?.requestId).toBeDefined();
    expect(later.map((result) => result.status)).toEqual(['success', 'success', 'success']);
    const lines = logLines(runtime);
    expect(
      lines.find((line) => line.requestId === first?.requestId && line.level === 'ERROR')?.message,
    ).toContain('Could not deliver the answer');
    const retries = lines.filter((line) => line.message.startsWith('GET /runtime/invocation/next failed'));
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.every((line) => line.level === 'WARN' && typeof line.retryInMs === 'number')).toBe(true);
  });

  it('item 44: with worker threads, the 403 on the second /init/error is ignored', async () => {
    const runtime = await start(4, { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2', FIXTURE_MODE: 'init-fails' });

    const exit = await runtime.waitForExit();

    expect(exit.code).toBe(1);
    const reports = emulator.requests.filter((request) => request.endpoint === 'init-error');
    expect(reports.map((request) => request.status)).toEqual([202, 403]);
    expect(
      logLines(runtime).some((line) => line.message.startsWith('Runtime API rejected /init/error')),
    ).toBe(false);
  });

  it('item 45: logs a late answer refused with 410 and goes back to /next', async () => {
    const runtime = await start(1);
    await emulator.waitForPendingNext(1);

    const late = await emulator.invoke({ index: 0, waitMs: 500 }, { deadlineMs: Date.now() + 100 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await until(() => logLines(runtime).some((line) => line.status === 410));
    const next = await emulator.invoke({ index: 1 });

    expect(late).toMatchObject({ errorType: 'Emulator.InvokeTimeout' });
    expect(next.json()).toMatchObject({ index: 1 });
    expect(logLines(runtime).find((line) => line.status === 410)).toMatchObject({
      level: 'ERROR',
      apiErrorType: 'InvokeTimeout',
    });
  });
  it('item 46: on the SIGTERM of a shutdown the invocations in flight finish, no poll starts, exit 0', async () => {
    const runtime = await start(4, { FIXTURE_MODE: 'hook' });
    await emulator.waitForPendingNext(4);
    const invocations = [0, 1, 2].map((index) => emulator.invoke({ index, waitMs: 150 }));
    await until(() => logLines(runtime).filter((line) => line.message === 'started').length === 3);
    const polls = emulator.requests.filter((request) => request.endpoint === 'next').length;

    const exit = await emulator.shutdown({ budgetMs: 2_000 });
    const results = await Promise.all(invocations);

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(results.map((result) => result.status)).toEqual(['success', 'success', 'success']);
    expect(emulator.requests.filter((request) => request.endpoint === 'next')).toHaveLength(polls);
    expect(runtime.stdout).toContain('HOOK_DONE');
  });
});
