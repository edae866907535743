import { fileURLToPath } from 'node:url';
import { RuntimeApiPath } from '@lambda-runtime/api';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorClosedError } from '../src/emulator-closed-error.js';
import { FRONT_DOOR_PATH } from '../src/invoke-front-door.js';
import { InvokeTimeoutError } from '../src/invoke-timeout-error.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { TooManyRequestsError } from '../src/too-many-requests-error.js';
import { httpCall } from './support/http-call.js';
import { type NextAnswer, RuntimeClient } from './support/runtime-client.js';
import { until } from './support/until.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const concurrentRuntime = `${fixtures}concurrent-runtime.mjs`;

describe('RuntimeApiEmulator in Managed Instances mode', () => {
  let emulator: RuntimeApiEmulator;

  afterEach(async () => {
    await emulator.close();
  });

  async function start(maxConcurrency: number, options: { maxQueuedInvocations?: number } = {}) {
    emulator = await RuntimeApiEmulator.start({ maxConcurrency, ...options });
    return new RuntimeClient(emulator.origin);
  }

  /** `count` long polls, each answered with an invocation (they are queued first). */
  function nexts(runtime: RuntimeClient, count: number): Promise<NextAnswer[]> {
    return Promise.all(Array.from({ length: count }, () => runtime.next()));
  }

  it('sets AWS_LAMBDA_MAX_CONCURRENCY, the initialization type and JSON logs when maxConcurrency is set', async () => {
    await start(8);

    const environment = emulator.environment();

    expect(environment.AWS_LAMBDA_MAX_CONCURRENCY).toBe('8');
    expect(environment.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('lambda-managed-instances');
    expect(environment.AWS_LAMBDA_LOG_FORMAT).toBe('JSON');
    expect(emulator.maxConcurrency).toBe(8);
  });

  it('keeps the classic environment when maxConcurrency is not set', async () => {
    emulator = await RuntimeApiEmulator.start();

    const environment = emulator.environment();

    expect(environment.AWS_LAMBDA_MAX_CONCURRENCY).toBeUndefined();
    expect(environment.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('on-demand');
    expect(environment.AWS_LAMBDA_LOG_FORMAT).toBeUndefined();
    expect(emulator.maxConcurrency).toBeUndefined();
  });

  it('rejects a maxConcurrency or maxQueuedInvocations that is not a count', async () => {
    const attempts = [
      RuntimeApiEmulator.start({ maxConcurrency: 0 }),
      RuntimeApiEmulator.start({ maxConcurrency: 2.5 }),
      RuntimeApiEmulator.start({ maxQueuedInvocations: -1 }),
    ];

    const outcomes = await Promise.allSettled(attempts);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: Number.POSITIVE_INFINITY });
  });

  it('parks N /next calls and hands N invocations out at once when maxConcurrency is N', async () => {
    const runtime = await start(4);
    const parked = Array.from({ length: 4 }, () => runtime.next());
    await emulator.waitForPendingNext(4);
    const parkedBefore = emulator.pendingNext;

    const invokes = [1, 2, 3, 4].map((n) => emulator.invoke({ n }));
    const delivered = await Promise.all(parked);

    expect(parkedBefore).toBe(4);
    expect(emulator.maxConcurrentNext).toBe(4);
    expect(new Set(delivered.map((next) => next.requestId)).size).toBe(4);
    expect(emulator.inFlight).toBe(4);
    expect(emulator.maxInFlight).toBe(4);
    expect(emulator.pendingNext).toBe(0);
    await Promise.all(delivered.map((next) => runtime.respond(next.requestId, '{}')));
    expect((await Promise.all(invokes)).map((result) => result.status)).toEqual(Array(4).fill('success'));
  });

  it('answers each invocation with the answer for its own id when they complete in reverse order', async () => {
    const runtime = await start(5);
    const invokes = [0, 1, 2, 3, 4].map((n) => emulator.invoke({ n }));
    const delivered = await nexts(runtime, 5);

    const answers = [];
    for (const next of [...delivered].reverse()) {
      const { n } = JSON.parse(next.body.toString()) as { n: number };
      answers.push(await runtime.respond(next.requestId, JSON.stringify({ doubled: n * 2 })));
    }
    const results = await Promise.all(invokes);

    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(202));
    expect(results.map((result) => result.json())).toEqual([0, 2, 4, 6, 8].map((doubled) => ({ doubled })));
    expect(results.map((result) => result.requestId)).toEqual(
      [0, 1, 2, 3, 4].map((n) => delivered.find((next) => next.body.toString() === `{"n":${n}}`)?.requestId),
    );
    expect(emulator.inFlight).toBe(0);
  });

  it('settles an /error on its own id while the other invocations stay in flight', async () => {
    const runtime = await start(2);
    const [ok, failing] = [emulator.invoke({ id: 'ok' }), emulator.invoke({ id: 'failing' })];
    const delivered = await nexts(runtime, 2);
    const byId = (id: string) =>
      delivered.find((next) => next.body.toString() === JSON.stringify({ id })) as NextAnswer;

    await runtime.fail(byId('failing').requestId, { errorType: 'Boom', errorMessage: 'no' }, 'Boom');
    const inFlightAfterError = emulator.inFlight;
    await runtime.respond(byId('ok').requestId, '"fine"');

    expect(inFlightAfterError).toBe(1);
    expect((await failing).errorType).toBe('Boom');
    expect((await ok).json()).toBe('fine');
  });

  it('answers 400 for an id that is not in flight and 403 for a second answer to the same id', async () => {
    const runtime = await start(2);
    const invoke = emulator.invoke({});
    const [next] = await nexts(runtime, 1);
    const id = next?.requestId ?? '';

    const unknown = await runtime.respond('not-in-flight', '{}');
    const first = await runtime.respond(id, '{}');
    const second = await runtime.respond(id, '{}');

    expect(unknown).toMatchObject({ status: 400, json: { errorType: 'InvalidRequestID' } });
    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 403, json: { errorType: 'InvalidStateTransition' } });
    expect((await invoke).status).toBe('success');
  });

  it('queues invocations beyond N until a slot frees and refuses one beyond the queue bound', async () => {
    const runtime = await start(2, { maxQueuedInvocations: 1 });
    const parked = nexts(runtime, 2);
    await emulator.waitForPendingNext(2);
    const invokes = [1, 2, 3].map((n) => emulator.invoke({ n }));
    const delivered = await parked;
    const thirdNext = runtime.next();
    await emulator.waitForPendingNext(1);

    const refused = await emulator.invoke({ n: 4 }).catch((error: unknown) => error);
    const queuedWhileFull = emulator.queuedInvocations;
    await runtime.respond(delivered[0]?.requestId ?? '', '{}');
    const third = await thirdNext;
    await runtime.respond(third.requestId, '{}');
    await runtime.respond(delivered[1]?.requestId ?? '', '{}');

    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(queuedWhileFull).toBe(1);
    expect(JSON.parse(third.body.toString())).toEqual({ n: 3 });
    expect((await Promise.all(invokes)).map((result) => result.status)).toEqual(Array(3).fill('success'));
    expect(emulator.maxInFlight).toBe(2);
  });

  it('times an invocation out at its own deadline and answers its late /response with 410', async () => {
    const runtime = await start(2);
    const slow = emulator.invoke({ id: 'slow' }, { deadlineMs: Date.now() + 50 });
    const other = emulator.invoke({ id: 'other' });
    const delivered = await nexts(runtime, 2);
    const idOf = (id: string) =>
      delivered.find((next) => next.body.toString() === JSON.stringify({ id }))?.requestId ?? '';

    const timedOut = await slow.catch((error: unknown) => error);
    const late = await runtime.respond(idOf('slow'), '{}');
    const lateError = await runtime.fail(idOf('slow'), { errorType: 'Late', errorMessage: 'late' });
    const onTime = await runtime.respond(idOf('other'), '"other"');

    expect(timedOut).toBeInstanceOf(InvokeTimeoutError);
    expect((timedOut as InvokeTimeoutError).requestId).toBe(idOf('slow'));
    expect(late).toMatchObject({ status: 410, json: { errorType: 'InvokeTimeout' } });
    expect(lateError).toMatchObject({ status: 410, json: { errorType: 'InvokeTimeout' } });
    expect(onTime.status).toBe(202);
    expect((await other).json()).toBe('other');
  });

  it('gives the slot of a timed-out invocation to the next queued one', async () => {
    const runtime = await start(1, { maxQueuedInvocations: 1 });
    const parked = runtime.next();
    await emulator.waitForPendingNext(1);
    const stuck = emulator.invoke({ id: 'stuck' }, { deadlineMs: Date.now() + 50 }).catch(() => 'timed out');
    const waiting = emulator.invoke({ id: 'waiting' });
    const first = await parked;
    const second = runtime.next();

    const stuckOutcome = await stuck;
    const next = await second;
    await runtime.respond(next.requestId, '"served"');

    expect(JSON.parse(first.body.toString())).toEqual({ id: 'stuck' });
    expect(stuckOutcome).toBe('timed out');
    expect(JSON.parse(next.body.toString())).toEqual({ id: 'waiting' });
    expect((await waiting).json()).toBe('served');
  });

  it('accepts only the first /init/error and answers a second one and a later /next with 403', async () => {
    const runtime = await start(4);
    const invoke = emulator.invoke({});

    const first = await runtime.initError({ errorType: 'Worker1', errorMessage: 'first' }, 'Worker1');
    const second = await runtime.initError({ errorType: 'Worker2', errorMessage: 'second' }, 'Worker2');
    const next = await runtime.next();
    const result = await invoke;

    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 403, json: { errorType: 'InvalidStateTransition' } });
    expect(next.status).toBe(403);
    expect(result.via).toBe('init-error');
    expect(result.errorType).toBe('Worker1');
    expect(emulator.initError?.errorType).toBe('Worker1');
  });

  it('answers an /init/error with 403 once a worker has called /next', async () => {
    const runtime = await start(2);
    const parked = runtime.park();
    await emulator.waitForPendingNext(1);

    const late = await runtime.initError({ errorType: 'LateWorker', errorMessage: 'late' });

    expect(late).toMatchObject({ status: 403, json: { errorType: 'InvalidStateTransition' } });
    expect(emulator.initError).toBeUndefined();
    await emulator.close();
    await parked;
  });

  it('parks /next calls beyond N and records them in maxConcurrentNext', async () => {
    const runtime = await start(2);
    const polls = Array.from({ length: 3 }, () => runtime.park());

    await emulator.waitForPendingNext(3);
    const invokes = [1, 2, 3].map((n) => emulator.invoke({ n }).catch(() => undefined));
    await emulator.waitForRequest(
      (request) => request.endpoint === 'next' && request.requestId !== undefined,
    );

    expect(emulator.maxConcurrentNext).toBe(3);
    expect(emulator.inFlight).toBe(2);
    expect(emulator.pendingNext).toBe(1);
    expect(emulator.queuedInvocations).toBe(1);
    await emulator.close();
    await Promise.all([...polls, ...invokes]);
  });

  it('rejects queued and in-flight invocations and pending waiters when closed', async () => {
    const runtime = await start(2);
    const invokes = [1, 2, 3].map((n) => emulator.invoke({ n }).catch((error: unknown) => error));
    await nexts(runtime, 2);
    const waiting = emulator.waitForPendingNext(5).catch((error: unknown) => error);

    await emulator.close();

    expect(await Promise.all(invokes)).toEqual([
      expect.any(EmulatorClosedError),
      expect.any(EmulatorClosedError),
      expect.any(EmulatorClosedError),
    ]);
    expect(await waiting).toBeInstanceOf(EmulatorClosedError);
  });

  it('answers every concurrent front-door caller with its own result when the runtime runs N at once', async () => {
    await start(4);
    const runtime = emulator.spawn({ command: process.execPath, args: [concurrentRuntime], cwd: fixtures });
    await emulator.waitForPendingNext(4);

    const calls = Array.from({ length: 24 }, (_, n) =>
      httpCall(emulator.origin, FRONT_DOOR_PATH, {
        method: 'POST',
        body: JSON.stringify({ n, sleepMs: 20 }),
      }),
    );
    const answers = await Promise.all(calls);

    expect(answers.map((answer) => answer.status)).toEqual(Array(24).fill(200));
    expect(answers.map((answer) => (answer.json as { event: { n: number } }).event.n)).toEqual(
      Array.from({ length: 24 }, (_, n) => n),
    );
    expect(
      answers.every(
        (answer) => (answer.json as { requestId: string }).requestId === answer.headers['x-amzn-requestid'],
      ),
    ).toBe(true);
    expect(emulator.maxConcurrentNext).toBe(4);
    expect(emulator.maxInFlight).toBe(4);
    expect(runtime.exit).toBeUndefined();
  });

  it('keeps the runtime running past a deadline and serves the next invocation from the same process', async () => {
    await start(2);
    const runtime = emulator.spawn({ command: process.execPath, args: [concurrentRuntime], cwd: fixtures });

    const timedOut = await emulator
      .invoke({ sleepMs: 300 }, { deadlineMs: Date.now() + 50 })
      .catch((error: unknown) => error);
    const late = await emulator.waitForRequest(
      (request) =>
        request.endpoint === 'response' &&
        request.requestId === (timedOut as InvokeTimeoutError).requestId &&
        request.status !== undefined,
    );
    const after = await emulator.invoke({ n: 'after' });

    expect(timedOut).toBeInstanceOf(InvokeTimeoutError);
    expect(late.status).toBe(410);
    expect(runtime.exit).toBeUndefined();
    expect(after.json()).toMatchObject({ event: { n: 'after' }, pid: runtime.pid });
  });

  it('sends SIGTERM first on shutdown and takes the answers of invocations that finish in the grace period', async () => {
    await start(2);
    const runtime = emulator.spawn({ command: process.execPath, args: [concurrentRuntime], cwd: fixtures });
    const inFlight = emulator.invoke({ n: 'in flight', sleepMs: 200 });
    await until(() => runtime.stdout.includes('handling '));

    // A generous budget: on a loaded machine the child may need a while to finish and exit.
    const result = await emulator.shutdown({ budgetMs: 10_000 });

    expect(result).toMatchObject({ code: 0, signal: null, sigtermAt: expect.any(Number) });
    expect(runtime.stdout).toContain('got SIGTERM with 1 in flight');
    expect((await inFlight).json()).toMatchObject({ event: { n: 'in flight' } });
  });

  it('answers the front-door caller with the timeout and 429 beyond the queue bound', async () => {
    emulator = await RuntimeApiEmulator.start({
      maxConcurrency: 1,
      maxQueuedInvocations: 0,
      timeoutSeconds: 1,
    });
    const runtime = new RuntimeClient(emulator.origin);
    const parked = runtime.next();
    await emulator.waitForPendingNext(1);

    const slow = httpCall(emulator.origin, FRONT_DOOR_PATH, { method: 'POST', body: '{}' });
    const delivered = await parked;
    const throttled = await httpCall(emulator.origin, FRONT_DOOR_PATH, { method: 'POST', body: '{}' });
    const timedOut = await slow;
    const late = await runtime.post(RuntimeApiPath.response(delivered.requestId), '{}');

    expect(throttled.status).toBe(429);
    expect(throttled.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    expect(timedOut.status).toBe(200);
    expect(timedOut.headers['x-amz-function-error']).toBe('Unhandled');
    expect(timedOut.text).toBe('Task timed out after 1.00 seconds');
    expect(late.status).toBe(410);
  });
});
