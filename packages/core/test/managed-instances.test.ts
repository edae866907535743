import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmiRuntimeApi, type SpawnedProcess } from './lmi-runtime-api.js';
import { until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/managed-instances.mjs', import.meta.url));

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

/** Every stdout line, parsed; a line that is not JSON fails the test. */
function logLines(runtime: SpawnedProcess): LogLine[] {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('HOOK_DONE'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('Lambda Managed Instances (a runtime process)', () => {
  let api: LmiRuntimeApi;

  beforeEach(async () => {
    api = await LmiRuntimeApi.start();
  });

  afterEach(async () => {
    await api.close();
  });

  it('item 43: logs JSON even when Text is asked for, each line with the request id of its own invocation', async () => {
    const runtime = api.spawn([fixture], api.environment(4, { AWS_LAMBDA_LOG_FORMAT: 'Text' }));
    await api.waitForParked(4);
    // None finishes before all four have started: the lines of the four interleave.
    const invocations = [0, 1, 2, 3].map((index) => ({
      index,
      ...api.invoke({ index, barrier: 4, waitMs: index * 20 }),
    }));

    await Promise.all(invocations.map((invocation) => invocation.answered));
    await until(
      () => logLines(runtime).filter((line) => line.message.startsWith('console after')).length === 4,
    );

    const lines = logLines(runtime);
    expect(lines.find((line) => line.message.includes('log JSON only'))?.level).toBe('WARN');
    for (const { index, requestId } of invocations) {
      const own = lines.filter((line) => line.index === index || line.message.endsWith(`wait of ${index}`));
      expect(own.map((line) => line.message)).toEqual([
        'started',
        `console before the wait of ${index}`,
        'finished',
        `console after the wait of ${index}`,
      ]);
      expect(own.every((line) => line.requestId === requestId)).toBe(true);
    }
    const firstFinished = lines.findIndex((line) => line.message === 'finished');
    const lastStarted = lines.findLastIndex((line) => line.message === 'started');
    expect(lastStarted).toBeLessThan(firstFinished);
  });

  it('item 44: with worker threads, a 403 on /init/error for a worker that was not first is ignored', async () => {
    const runtime = api.spawn(
      [fixture],
      api.environment(4, { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2', FIXTURE_MODE: 'init-fails' }),
    );

    const exit = await runtime.exited;

    expect(exit.code).toBe(1);
    expect(api.initErrors.map((report) => report.status)).toEqual([202, 403]);
    expect(JSON.parse(api.initErrors[0]?.body ?? '{}')).toMatchObject({ errorType: 'TypeError' });
    const lines = logLines(runtime);
    expect(lines.filter((line) => line.message === 'Init Error')).toHaveLength(2);
    expect(lines.some((line) => line.message.startsWith('Runtime API rejected /init/error'))).toBe(false);
    expect(api.requests.some((request) => request.path.endsWith('/next'))).toBe(false);
  });

  it('items 40, 41: with AWS_LAMBDA_NODEJS_WORKER_COUNT the workers share the N polls and each answers its own invocations', async () => {
    const runtime = api.spawn([fixture], api.environment(6, { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }));
    await api.waitForParked(6);
    const parked = api.parkedCount;

    const invocations = Array.from({ length: 12 }, (_, index) => ({
      index,
      ...api.invoke({ index, waitMs: (12 - index) * 10 }),
    }));
    const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

    expect(parked).toBe(6);
    expect(api.maxOpenNext).toBe(6);
    const bodies = answers.map(
      (answer) => JSON.parse(answer.body) as { index: number; requestId: string; threadId: number },
    );
    bodies.forEach((body, index) => {
      expect(body).toMatchObject({ index, requestId: invocations[index]?.requestId });
    });
    expect(new Set(bodies.map((body) => body.threadId)).size).toBe(2);
    expect(logLines(runtime).filter((line) => line.message === 'initializing')).toHaveLength(2);
  });

  it('answers every invocation in flight with an uncaught exception on /error, then exits 1', async () => {
    const runtime = api.spawn([fixture], api.environment(3));
    await api.waitForParked(3);

    // The crash comes once both have started (the barrier).
    const calm = api.invoke({ index: 0, barrier: 2, waitMs: 60_000 });
    const crashing = api.invoke({ index: 1, barrier: 2, waitMs: 60_000, crashInMs: 10 });
    const answers = await Promise.all([calm.answered, crashing.answered]);
    const exit = await runtime.exited;

    expect(exit.code).toBe(1);
    for (const answer of answers) {
      expect(answer.via).toBe('error');
      expect(JSON.parse(answer.body)).toMatchObject({
        errorType: 'RangeError',
        errorMessage: 'thrown from a timer of 1',
      });
    }
    expect(logLines(runtime).find((line) => line.level === 'FATAL')?.message).toBe(
      'Uncaught exception during an invocation, reported to /error; exiting',
    );
  });

  it('with worker threads, a worker that crashes ends alone and the others go on serving', async () => {
    const runtime = api.spawn([fixture], api.environment(2, { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }));
    await api.waitForParked(2);

    const crashed = await api.invoke({ index: 0, waitMs: 60_000, crashInMs: 10 }).answered;
    await until(() => logLines(runtime).some((line) => line.message.startsWith('Worker ')));
    const served = await Promise.all([1, 2, 3].map((index) => api.invoke({ index }).answered));

    expect(crashed.via).toBe('error');
    expect(served.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(
      new Set(served.map((answer) => (JSON.parse(answer.body) as { threadId: number }).threadId)).size,
    ).toBe(1);
    expect(logLines(runtime).find((line) => line.message.startsWith('Worker '))).toMatchObject({
      level: 'ERROR',
      exitCode: 1,
    });
    expect(runtime.child.exitCode).toBeNull();
  });

  it.each([
    ['in one process', {}],
    ['with worker threads', { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }],
  ])(
    'item 46: on SIGTERM %s the invocations in flight finish, no poll starts, hooks run, exit 0',
    async (_, extra) => {
      const runtime = api.spawn([fixture], api.environment(4, { FIXTURE_MODE: 'hook', ...extra }));
      await api.waitForParked(4);
      const invocations = [0, 1, 2].map((index) => api.invoke({ index, waitMs: 150 }));
      await until(() => logLines(runtime).filter((line) => line.message === 'started').length === 3);
      const pollsBefore = api.requests.filter((request) => request.path.endsWith('/next')).length;

      runtime.child.kill('SIGTERM');
      const exit = await runtime.exited;
      const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

      expect(exit).toEqual({ code: 0, signal: null });
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
      expect(api.requests.filter((request) => request.path.endsWith('/next')).length).toBe(pollsBefore);
      expect(runtime.stdout).toMatch(/HOOK_DONE/);
      expect(logLines(runtime).map((line) => line.message)).toContain('SIGTERM received, shutting down');
    },
  );
});
