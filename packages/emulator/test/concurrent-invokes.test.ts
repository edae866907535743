import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_QUEUED_INVOCATIONS } from '../src/emulator-options.js';
import { FRONT_DOOR_PATH } from '../src/invoke-front-door.js';
import { RESPONSE_STREAM_PATH } from '../src/response-stream-front-door.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { TooManyRequestsError } from '../src/too-many-requests-error.js';
import { type HttpAnswer, httpCall } from './support/http-call.js';
import { RuntimeClient } from './support/runtime-client.js';
import { until } from './support/until.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixtureRuntime = `${fixtures}runtime.mjs`;

/** One caller at the front door with node:http and a connection of its own. */
function invokeOverHttp(emulator: RuntimeApiEmulator, event: unknown): Promise<HttpAnswer> {
  return httpCall(emulator.origin, FRONT_DOOR_PATH, { method: 'POST', body: JSON.stringify(event) });
}

describe('RuntimeApiEmulator under concurrent invokes (single concurrency)', () => {
  let emulator: RuntimeApiEmulator;

  afterEach(async () => {
    await emulator.close();
  });

  it('answers every one of many concurrent front-door callers with its own result, one invocation at a time', async () => {
    emulator = await RuntimeApiEmulator.start();
    const runtime = emulator.spawn({ command: process.execPath, args: [fixtureRuntime], cwd: fixtures });

    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => invokeOverHttp(emulator, { n })));

    expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(200));
    expect(answers.map((answer) => (answer.json as { event: { n: number } }).event.n)).toEqual(
      Array.from({ length: 60 }, (_, n) => n),
    );
    expect(
      answers.every(
        (answer) => (answer.json as { requestId: string }).requestId === answer.headers['x-amzn-requestid'],
      ),
    ).toBe(true);
    expect(emulator.maxInFlight).toBe(1);
    expect(emulator.maxConcurrentNext).toBe(1);
    expect(runtime.exit).toBeUndefined();
  });

  it('throttles callers of the function URL door and the streaming endpoint with 429 too', async () => {
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: 0, functionUrl: { port: 0 } });

    const viaUrl = await httpCall(emulator.functionUrlOrigin ?? '', '/orders', { method: 'GET' });
    const viaStream = await httpCall(emulator.origin, RESPONSE_STREAM_PATH, { method: 'POST', body: '{}' });

    expect(viaUrl.status).toBe(429);
    expect(viaUrl.json).toEqual({ Message: 'Rate Exceeded.' });
    expect(viaStream.status).toBe(429);
    expect(viaStream.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    expect(emulator.queuedInvocations).toBe(0);
  });

  it('answers callers beyond the queue bound with 429 TooManyRequestsException as the Invoke API does', async () => {
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: 3 });
    const answered: HttpAnswer[] = [];

    const calls = Array.from({ length: 10 }, (_, n) =>
      invokeOverHttp(emulator, { n }).then((answer) => {
        answered.push(answer);
        return answer;
      }),
    );
    await until(() => answered.length === 7);
    const queued = emulator.queuedInvocations;
    emulator.spawn({ command: process.execPath, args: [fixtureRuntime], cwd: fixtures });
    const answers = await Promise.all(calls);

    const throttled = answers.filter((answer) => answer.status === 429);
    expect(queued).toBe(3);
    expect(answered.slice(0, 7).every((answer) => answer.status === 429)).toBe(true);
    expect(throttled).toHaveLength(7);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    for (const answer of throttled) {
      expect(answer.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.json).toEqual({
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        Type: 'User',
        message: 'Rate Exceeded.',
      });
    }
  });

  it('answers every caller of a flood with its own result or 429 and keeps serving afterwards', async () => {
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: 20 });
    emulator.spawn({ command: process.execPath, args: [fixtureRuntime], cwd: fixtures });

    const answers = await Promise.all(Array.from({ length: 300 }, (_, n) => invokeOverHttp(emulator, { n })));
    const after = await invokeOverHttp(emulator, { n: 'after' });

    const served = answers.flatMap((answer, n) => (answer.status === 200 ? [{ answer, n }] : []));
    expect(answers.every((answer) => answer.status === 200 || answer.status === 429)).toBe(true);
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(served.every(({ answer, n }) => (answer.json as { event: { n: number } }).event.n === n)).toBe(
      true,
    );
    expect(after.status).toBe(200);
    expect(emulator.maxInFlight).toBe(1);
    expect(emulator.queuedInvocations).toBe(0);
  });

  it('refuses a programmatic invoke beyond the bound with TooManyRequestsError and serves the queued ones', async () => {
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: 2 });
    const runtime = new RuntimeClient(emulator.origin);
    const queued = [1, 2].map((n) => emulator.invoke({ n }));

    const refused = await emulator.invoke({ n: 3 }).catch((error: unknown) => error);
    for (const n of [1, 2]) {
      const next = await runtime.next();
      await runtime.respond(next.requestId, JSON.stringify({ served: n }));
    }

    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(refused).toMatchObject({
      errorType: 'TooManyRequestsException',
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    expect((await Promise.all(queued)).map((result) => result.json())).toEqual([
      { served: 1 },
      { served: 2 },
    ]);
  });

  it('hands an invoke to a waiting /next and refuses the next one when no queue is allowed', async () => {
    emulator = await RuntimeApiEmulator.start({ maxQueuedInvocations: 0 });
    const runtime = new RuntimeClient(emulator.origin);
    const parked = runtime.next();
    await emulator.waitForPendingNext(1);

    const accepted = emulator.invoke({ n: 1 });
    const refused = await emulator.invoke({ n: 2 }).catch((error: unknown) => error);
    const next = await parked;
    await runtime.respond(next.requestId, '"one"');

    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((await accepted).json()).toBe('one');
  });

  it('queues a burst larger than a browser or a load tool sends at once by default', async () => {
    emulator = await RuntimeApiEmulator.start();
    const burst = Array.from({ length: DEFAULT_MAX_QUEUED_INVOCATIONS }, (_, n) => emulator.invoke({ n }));

    const refused = await emulator.invoke({ n: 'one too many' }).catch((error: unknown) => error);
    const queued = emulator.queuedInvocations;
    await emulator.close();
    const outcomes = await Promise.allSettled(burst);

    expect(DEFAULT_MAX_QUEUED_INVOCATIONS).toBeGreaterThanOrEqual(50);
    expect(queued).toBe(DEFAULT_MAX_QUEUED_INVOCATIONS);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });

  it('answers every queued front-door caller when the emulator closes instead of leaving it hanging', async () => {
    emulator = await RuntimeApiEmulator.start();
    const runtime = new RuntimeClient(emulator.origin);
    const calls = Array.from({ length: 5 }, (_, n) =>
      invokeOverHttp(emulator, { n }).catch((error: unknown) => error),
    );
    const first = await runtime.next();
    await until(() => emulator.queuedInvocations === 4);

    await emulator.close();
    const answers = await Promise.all(calls);

    expect(first.status).toBe(200);
    expect(answers.map((answer) => (answer as HttpAnswer).status)).toEqual(Array(5).fill(503));
  });
});
