import {
  ENVIRONMENT_READER,
  type InvocationContext,
  LOGGER,
  RUNTIME_LOOP,
  RuntimeApiError,
  type RuntimeLoop,
  TransportError,
} from '@lambda-runtime/api';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import type { DependencyContainer } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrentRuntimeLoop, createContainer, installInvokeStore, nextBackoff } from '../src/index.js';
import { type LmiAnswer, LmiRuntimeApi } from './lmi-runtime-api.js';
import { memoryLogger, until } from './support.js';

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('ConcurrentRuntimeLoop', () => {
  let api: LmiRuntimeApi;
  let container: DependencyContainer;
  let loop: RuntimeLoop;
  let running: Promise<void> | undefined;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    api = await LmiRuntimeApi.start();
    running = undefined;
  });

  afterEach(async () => {
    loop?.stop();
    await api.close();
    await running?.catch(() => undefined);
    await container?.dispose();
  });

  /** The loop the composition root builds for `AWS_LAMBDA_MAX_CONCURRENCY=concurrency`, running `handler`. */
  function start(concurrency: number, handler: (event: never, context: InvocationContext) => unknown): void {
    container = createContainer();
    container.register(ENVIRONMENT_READER, {
      useValue: new ProcessEnvironmentReader({ env: api.environment(concurrency) }),
    });
    log = memoryLogger();
    container.register(LOGGER, { useValue: log.logger });
    loop = container.resolve<RuntimeLoop>(RUNTIME_LOOP);
    running = loop.run(handler as never);
    running.catch(() => undefined);
  }

  it('item 40: keeps N /next long polls parked and runs up to N handlers at once', async () => {
    let runningNow = 0;
    let mostAtOnce = 0;
    const release = gate();
    start(4, async () => {
      runningNow += 1;
      mostAtOnce = Math.max(mostAtOnce, runningNow);
      await release.promise;
      runningNow -= 1;
      return 'done';
    });
    await api.waitForParked(4);
    const parkedBefore = api.parkedCount;

    const invocations = Array.from({ length: 8 }, (_, index) => api.invoke({ index }));
    await until(() => runningNow === 4);
    const sawMoreNextThanN = api.maxOpenNext > 4;
    release.open();
    const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

    expect(loop).toBeInstanceOf(ConcurrentRuntimeLoop);
    expect(parkedBefore).toBe(4);
    expect(mostAtOnce).toBe(4);
    expect(sawMoreNextThanN).toBe(false);
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(202));
  });

  it('item 41: answers every invocation on its own id when they complete in reverse order', async () => {
    const gates = new Map<number, ReturnType<typeof gate>>();
    for (let index = 0; index < 6; index += 1) gates.set(index, gate());
    let started = 0;
    start(6, async (event: { index: number }, context) => {
      started += 1;
      await gates.get(event.index)?.promise;
      if (event.index % 3 === 2) throw new TypeError(`failed ${event.index} for ${context.awsRequestId}`);
      return { index: event.index, requestId: context.awsRequestId };
    });
    const invocations = Array.from({ length: 6 }, (_, index) => ({ index, ...api.invoke({ index }) }));
    await until(() => started === 6);

    for (let index = 5; index >= 0; index -= 1) {
      gates.get(index)?.open();
      await invocations[index]?.answered;
    }
    const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

    expect(api.answers.map((answer) => answer.requestId)).toEqual(
      [...invocations].reverse().map((invocation) => invocation.requestId),
    );
    answers.forEach((answer: LmiAnswer, index) => {
      const invocation = invocations[index];
      expect(answer.requestId).toBe(invocation?.requestId);
      if (index % 3 === 2) {
        expect(answer.via).toBe('error');
        expect(JSON.parse(answer.body)).toMatchObject({
          errorType: 'TypeError',
          errorMessage: `failed ${index} for ${invocation?.requestId}`,
        });
      } else {
        expect(answer.via).toBe('response');
        expect(JSON.parse(answer.body)).toEqual({ index, requestId: invocation?.requestId });
      }
    });
  });

  it('item 42: gives each invocation its own request, trace and tenant id, in the context and the invoke store, and never sets _X_AMZN_TRACE_ID', async () => {
    delete process.env._X_AMZN_TRACE_ID;
    await installInvokeStore({ maxConcurrency: 4 } as never);
    const store = (globalThis as { awslambda?: { InvokeStore?: StoreView } }).awslambda?.InvokeStore;
    const gates = [gate(), gate(), gate(), gate()];
    let started = 0;
    start(4, async (event: { index: number }, context) => {
      const before = snapshot(context, store);
      started += 1;
      await gates[event.index]?.promise;
      return { before, after: snapshot(context, store) };
    });
    const invocations = [0, 1, 2, 3].map((index) => ({
      index,
      ...api.invoke(
        { index },
        { traceId: `Root=1-00000000-00000000000000000000000${index};Sampled=1`, tenantId: `tenant-${index}` },
      ),
    }));
    await until(() => started === 4);

    for (const index of [2, 0, 3, 1]) gates[index]?.open();
    const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

    expect(store).toBeDefined();
    answers.forEach((answer, index) => {
      const expected = {
        requestId: invocations[index]?.requestId,
        traceId: `Root=1-00000000-00000000000000000000000${index};Sampled=1`,
        tenantId: `tenant-${index}`,
        storeRequestId: invocations[index]?.requestId,
        storeTraceId: `Root=1-00000000-00000000000000000000000${index};Sampled=1`,
        storeTenantId: `tenant-${index}`,
        traceEnv: null,
      };
      expect(JSON.parse(answer.body)).toEqual({ before: expected, after: expected });
    });
    expect(process.env._X_AMZN_TRACE_ID).toBeUndefined();
  });

  it('answers a callback-style handler and polls again though parked polls keep the event loop busy', async () => {
    start(2, ((
      event: { n: number },
      _context: InvocationContext,
      callback: (e: null, r: unknown) => void,
    ) => {
      setTimeout(() => callback(null, { n: event.n }), 10);
    }) as never);

    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await api.invoke({ n }).answered);

    expect(answers.map((answer) => answer.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('returns null for a plain function that returned nothing', async () => {
    start(2, (() => undefined) as never);

    const answer = await api.invoke({}).answered;

    expect(answer).toMatchObject({ via: 'response', body: 'null' });
  });

  it('item 44: retries a failed /next (5xx, reset) with backoff instead of ending the loop', async () => {
    api.failNext(500, 'reset', 503);
    start(2, async () => 'ok');

    const answer = await api.invoke({}).answered;
    await until(() => api.parkedCount === 2);

    expect(answer.status).toBe(202);
    const retries = log
      .lines()
      .filter((line) => String(line.message).startsWith('GET /runtime/invocation/next failed'));
    expect(retries).toHaveLength(3);
    expect(retries.every((line) => typeof line.retryInMs === 'number' && line.retryInMs > 0)).toBe(true);
  });

  it('item 44: logs an answer whose post failed with a 5xx and goes on polling', async () => {
    start(2, async (event: { n: number }) => ({ n: event.n }));
    const first = api.invoke({ n: 1 });
    api.failPost(first.requestId, 500);

    const failed = await first.answered;
    const next = await api.invoke({ n: 2 }).answered;

    expect(failed.status).toBe(500);
    expect(next).toMatchObject({ via: 'response', status: 202, body: '{"n":2}' });
    const logged = log.lines().find((line) => line.requestId === first.requestId && line.level === 'ERROR');
    expect(logged?.message).toContain(`Could not deliver the answer of ${first.requestId}`);
  });

  it('item 45: logs a late answer refused with 410 and returns to /next', async () => {
    const release = gate();
    let lateStarted = false;
    start(1, async (event: { late?: boolean }) => {
      if (event.late) {
        lateStarted = true;
        await release.promise;
      }
      return 'answer';
    });
    // One poller: it must be free again for the second invocation to be served at all.
    const late = api.invoke({ late: true });
    await until(() => lateStarted);
    api.expire(late.requestId);
    release.open();

    const refused = await late.answered;
    const next = await api.invoke({}).answered;

    expect(refused.status).toBe(410);
    expect(next.status).toBe(202);
    const logged = log.lines().find((line) => line.requestId === late.requestId && line.status === 410);
    expect(logged).toMatchObject({ level: 'ERROR', apiErrorType: 'InvokeTimeout' });
  });
});

describe('nextBackoff', () => {
  it('item 44: doubles the cap of the wait up to the maximum, draws the wait between half the cap and the cap', () => {
    const lowest = nextBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0 });
    const highest = nextBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999_999 });
    const lost = new TransportError('ECONNRESET', { code: 'ECONNRESET' });

    const low = [0, 1, 2, 3, 4, 5].map((attempt) => lowest(lost, attempt));
    const high = [0, 1, 2, 3, 4, 5].map((attempt) => highest(lost, attempt));

    expect(low).toEqual([50, 100, 200, 400, 500, 500]);
    expect(high).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('item 44: retries lost connections and 5xx, gives up on a 4xx and after maxRetries', () => {
    const policy = nextBackoff({ maxRetries: 2, random: () => 0.5 });

    expect(policy(new TransportError('refused', { code: 'ECONNREFUSED' }), 0)).toBeGreaterThan(0);
    expect(policy(new RuntimeApiError('boom', { status: 502 }), 1)).toBeGreaterThan(0);
    expect(policy(new RuntimeApiError('no', { status: 403 }), 0)).toBeUndefined();
    expect(policy(new TransportError('refused', { code: 'ECONNREFUSED' }), 2)).toBeUndefined();
    expect(policy(new Error('protocol'), 0)).toBeUndefined();
  });
});

interface StoreView {
  getRequestId(): string;
  getXRayTraceId(): string | undefined;
  getTenantId(): string | undefined;
}

function snapshot(context: InvocationContext, store: StoreView | undefined): Record<string, unknown> {
  return {
    requestId: context.awsRequestId,
    traceId: context.traceId ?? null,
    tenantId: context.tenantId ?? null,
    storeRequestId: store?.getRequestId(),
    storeTraceId: store?.getXRayTraceId() ?? null,
    storeTenantId: store?.getTenantId() ?? null,
    traceEnv: process.env._X_AMZN_TRACE_ID ?? null,
  };
}
