import { type InvocationContext, MAX_RESPONSE_BYTES, RuntimeApiError } from '@lambda-runtime/api';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersFor, nextPolls, startLoop, until } from './support.js';

type Started = ReturnType<typeof startLoop>;

describe('DefaultRuntimeLoop', () => {
  let emulator: RuntimeApiEmulator;
  let started: Started | undefined;
  const savedTrace = process.env._X_AMZN_TRACE_ID;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await started?.stop();
    await emulator.close();
    await started?.transport.close();
    started = undefined;
    if (savedTrace === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = savedTrace;
  });

  function run(handler: (event: never, context: InvocationContext) => unknown, env = {}): Started {
    started = startLoop(emulator, handler as never, env);
    return started;
  }

  it('item 9: passes the decoded event and a context built from the /next headers to the handler', async () => {
    const seen: Array<{ event: unknown; context: InvocationContext }> = [];
    run((event, context) => {
      seen.push({ event, context });
      return { ok: true };
    });

    const result = await emulator.invoke(
      { orderId: 42 },
      { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:f:prod' },
    );
    const text = await emulator.invoke(undefined, { rawBody: 'hello', contentType: 'text/plain' });

    expect(result.json()).toEqual({ ok: true });
    expect(text.status).toBe('success');
    expect(seen[0]?.event).toEqual({ orderId: 42 });
    expect(seen[0]?.context.awsRequestId).toBe(result.requestId);
    expect(seen[0]?.context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:1:function:f:prod');
    expect(seen[0]?.context.functionName).toBe('test_function');
    expect(seen[1]?.event).toBe('hello');
  });

  it('item 10: exposes the deadline and a remaining time that reaches zero after it', async () => {
    const remaining: Array<{ deadlineMs: number; remaining: number; now: number }> = [];
    run((_event, context) => {
      remaining.push({
        deadlineMs: context.deadlineMs,
        remaining: context.getRemainingTimeInMillis(),
        now: Date.now(),
      });
      return null;
    });
    const future = Date.now() + 60_000;
    const past = Date.now() - 1_000;

    await emulator.invoke({}, { deadlineMs: future });
    await emulator.invoke({}, { deadlineMs: past });

    const [ahead, behind] = remaining;
    expect(ahead?.deadlineMs).toBe(future);
    expect(Math.abs((ahead?.remaining ?? 0) - (future - (ahead?.now ?? 0)))).toBeLessThanOrEqual(5);
    expect(behind?.deadlineMs).toBe(past);
    expect(behind?.remaining).toBeLessThanOrEqual(0);
  });

  it('item 11: sets _X_AMZN_TRACE_ID from the trace header and deletes it when the header is absent', async () => {
    const traces: Array<string | undefined> = [];
    process.env._X_AMZN_TRACE_ID = 'stale';
    run(() => {
      traces.push(process.env._X_AMZN_TRACE_ID);
      return null;
    });
    const traceId = 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

    await emulator.invoke({}, { traceId });
    await emulator.invoke({});

    expect(traces).toEqual([traceId, undefined]);
  });

  it('item 11: leaves _X_AMZN_TRACE_ID alone when more than one invocation may run at a time', async () => {
    const traces: Array<string | undefined> = [];
    process.env._X_AMZN_TRACE_ID = 'untouched';
    run(
      () => {
        traces.push(process.env._X_AMZN_TRACE_ID);
        return null;
      },
      { AWS_LAMBDA_MAX_CONCURRENCY: '4' },
    );

    await emulator.invoke({}, { traceId: 'Root=1-6791a2b3-0123456789abcdef01234567' });

    expect(traces).toEqual(['untouched']);
  });

  it('item 12: parses client context and identity when present and leaves them undefined otherwise', async () => {
    const contexts: InvocationContext[] = [];
    run((_event, context) => {
      contexts.push(context);
      return null;
    });
    const clientContext = {
      client: {
        installationId: 'i',
        appTitle: 't',
        appVersionName: 'v',
        appVersionCode: '1',
        appPackageName: 'p',
      },
      env: { platformVersion: '1', platform: 'p', make: 'm', model: 'm', locale: 'en' },
      custom: { a: 1 },
    };
    const identity = { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' };

    await emulator.invoke(
      {},
      { clientContext: JSON.stringify(clientContext), cognitoIdentity: JSON.stringify(identity) },
    );
    await emulator.invoke({});

    expect(contexts[0]?.clientContext).toMatchObject({
      client: clientContext.client,
      env: clientContext.env,
    });
    expect(contexts[0]?.identity).toEqual(identity);
    expect(contexts[1]?.clientContext).toBeUndefined();
    expect(contexts[1]?.identity).toBeUndefined();
  });

  it('item 13: answers /error, not a crash, when a header or the event body is malformed', async () => {
    const events: unknown[] = [];
    run((event) => {
      events.push(event);
      return 'fine';
    });

    const badContext = await emulator.invoke({}, { clientContext: '{not json' });
    const badIdentity = await emulator.invoke({}, { cognitoIdentity: '[oops' });
    const badBody = await emulator.invoke(undefined, { rawBody: '{"unterminated": ' });
    const good = await emulator.invoke({ after: true });

    expect(badContext.via).toBe('error');
    expect(badContext.errorType).toBe('Runtime.MalformedInvocation');
    expect(badIdentity.errorType).toBe('Runtime.MalformedInvocation');
    expect(badBody.via).toBe('error');
    expect(badBody.errorType).toBe('Runtime.MalformedEvent');
    expect(good.json()).toBe('fine');
    expect(events).toEqual([{ after: true }]);
  });

  it('item 14: exposes Lambda-Runtime-Aws-Tenant-Id as tenantId', async () => {
    const tenants: Array<string | undefined> = [];
    run((_event, context) => {
      tenants.push(context.tenantId);
      return null;
    });

    await emulator.invoke({}, { tenantId: 'tenant-blue' });
    await emulator.invoke({});

    expect(tenants).toEqual(['tenant-blue', undefined]);
  });

  it('item 15: treats empty optional headers as absent when building the context', async () => {
    const contexts: InvocationContext[] = [];
    run((_event, context) => {
      contexts.push(context);
      return null;
    });

    const result = await emulator.invoke(
      {},
      {
        extraHeaders: {
          'LAMBDA-RUNTIME-CLIENT-CONTEXT': '',
          'Lambda-Runtime-Cognito-Identity': '',
          'lambda-runtime-aws-tenant-id': '',
        },
      },
    );

    expect(result.status).toBe('success');
    expect(contexts[0]?.clientContext).toBeUndefined();
    expect(contexts[0]?.identity).toBeUndefined();
    expect(contexts[0]?.tenantId).toBeUndefined();
  });

  it('item 16: rejects run() with a ProtocolError when /next has no request id, without answering', async () => {
    const { running } = run(() => 'never called');

    const invoked = emulator.invoke(
      {},
      { extraHeaders: { 'Lambda-Runtime-Aws-Request-Id': '' }, timeoutMs: 1_000 },
    );
    invoked.catch(() => undefined);

    await expect(running).rejects.toMatchObject({ name: 'ProtocolError' });
    expect(emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('item 17: keeps at most one /next outstanding and polls again only after answering', async () => {
    run(async (event: { fail?: boolean }) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (event.fail) throw new Error('planned');
      return event;
    });

    const results = [];
    for (let i = 0; i < 4; i += 1) {
      results.push(await emulator.invoke({ i, fail: i % 2 === 1 }));
    }
    await until(() => nextPolls(emulator).length === 5);

    expect(emulator.maxConcurrentNext).toBe(1);
    const polls = nextPolls(emulator);
    results.forEach((result, index) => {
      const answers = answersFor(emulator, result.requestId);
      expect(answers).toHaveLength(1);
      expect(answers[0]?.seq).toBeGreaterThan(polls[index]?.seq ?? Number.POSITIVE_INFINITY);
      expect(answers[0]?.seq).toBeLessThan(polls[index + 1]?.seq ?? 0);
      expect(polls[index + 1]?.receivedAt).toBeGreaterThanOrEqual(
        answers[0]?.answeredAt ?? Number.POSITIVE_INFINITY,
      );
    });
  });

  it('item 18: posts exactly one /response with the URL-encoded id and null for undefined', async () => {
    run(async () => undefined);
    const requestId = 'req/1 2?x';

    const result = await emulator.invoke({}, { requestId });
    await until(() => nextPolls(emulator).length === 2);

    const answers = answersFor(emulator, requestId);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.path).toBe(`/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`);
    expect(result.payload.toString('utf8')).toBe('null');
  });

  it('item 19: sends buffered responses without Lambda-Runtime-Function-Response-Mode', async () => {
    run(() => ({ ok: true }));

    const result = await emulator.invoke({});

    expect(result.request?.headers).not.toHaveProperty('lambda-runtime-function-response-mode');
    expect(result.contentType).toBe('application/json');
  });

  it('item 21: goes straight back to /next after a 202', async () => {
    run(() => 'done');

    const result = await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);

    const sequence = emulator.requests.map((r) => r.endpoint);
    expect(sequence).toEqual(['next', 'response', 'next']);
    expect(result.request?.status).toBe(202);
  });

  it('item 22: logs a 413 from /response, does not call /error and proceeds to /next', async () => {
    const { lines } = run(() => 'small enough locally');
    emulator.failNext('response', 413);

    const rejected = emulator.invoke({}, { timeoutMs: 1_000 });
    rejected.catch(() => undefined);
    await until(() => nextPolls(emulator).length === 2);
    const after = await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 3);

    expect(emulator.requests.map((r) => r.endpoint)).toEqual([
      'next',
      'response',
      'next',
      'response',
      'next',
    ]);
    expect(after.status).toBe('success');
    expect(lines().some((line) => line.status === 413)).toBe(true);
  });

  it('item 22: reports a result above the size limit via /error without posting /response', async () => {
    run(() => 'x'.repeat(MAX_RESPONSE_BYTES));

    const result = await emulator.invoke({});

    expect(result.via).toBe('error');
    expect(result.errorType).toBe('Runtime.ResponseSizeTooLarge');
    expect(emulator.requests.filter((r) => r.endpoint === 'response')).toEqual([]);
  });

  it.each([400, 403])(
    'item 23: logs the errorType of a %i on /response, does not retry and proceeds to /next',
    async (status) => {
      const { lines } = run(() => 'answer');
      emulator.failNext('response', status, { errorType: 'InvalidStateTransition', errorMessage: 'no' });

      const rejected = emulator.invoke({}, { timeoutMs: 1_000 });
      rejected.catch(() => undefined);
      await until(() => nextPolls(emulator).length === 2);
      const after = await emulator.invoke({});
      await until(() => nextPolls(emulator).length === 3);

      expect(emulator.requests.map((r) => r.endpoint)).toEqual([
        'next',
        'response',
        'next',
        'response',
        'next',
      ]);
      expect(after.status).toBe('success');
      expect(
        lines().some((line) => line.status === status && line.apiErrorType === 'InvalidStateTransition'),
      ).toBe(true);
    },
  );

  it('item 24: posts /error with the error type header and a §5 body after a throw or a rejection', async () => {
    run(async (event: { mode: string }) => {
      if (event.mode === 'throw') throw new TypeError('x is not a function');
      if (event.mode === 'reject') return Promise.reject(new RangeError('out of range'));
      return 'ok';
    });

    const thrown = await emulator.invoke({ mode: 'throw' });
    const rejected = await emulator.invoke({ mode: 'reject' });
    const fine = await emulator.invoke({ mode: 'ok' });

    expect(thrown.via).toBe('error');
    expect(thrown.request?.headers['lambda-runtime-function-error-type']).toBe('TypeError');
    expect(thrown.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'x is not a function' });
    expect(thrown.error?.stackTrace[0]).toContain('TypeError: x is not a function');
    expect(Object.keys(thrown.json() as object).sort()).toEqual(['errorMessage', 'errorType', 'stackTrace']);
    expect(rejected.request?.headers['lambda-runtime-function-error-type']).toBe('RangeError');
    expect(rejected.error?.errorMessage).toBe('out of range');
    expect(fine.json()).toBe('ok');
  });

  it('item 24: reports a handler that throws synchronously', async () => {
    run(() => {
      throw new Error('sync failure');
    });

    const result = await emulator.invoke({});

    expect(result.via).toBe('error');
    expect(result.error).toMatchObject({ errorType: 'Error', errorMessage: 'sync failure' });
  });

  it('item 25: sends a valid JSON error body when the thrown value is not an Error', async () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const thrown: Record<string, unknown> = {
      string: 'plain words',
      null: null,
      object: { code: 7 },
      circular,
    };
    run((event: { kind: string }) => {
      throw thrown[event.kind];
    });

    const results = {
      string: await emulator.invoke({ kind: 'string' }),
      null: await emulator.invoke({ kind: 'null' }),
      object: await emulator.invoke({ kind: 'object' }),
      circular: await emulator.invoke({ kind: 'circular' }),
    };

    for (const result of Object.values(results)) {
      expect(result.via).toBe('error');
      const body = result.json() as Record<string, unknown>;
      expect(typeof body.errorType).toBe('string');
      expect(typeof body.errorMessage).toBe('string');
      expect(Array.isArray(body.stackTrace)).toBe(true);
      expect(result.request?.headers['content-type']).toBe('application/json');
    }
    expect(results.string.error).toMatchObject({ errorType: 'string', errorMessage: 'plain words' });
    expect(results.null.error?.errorType).toBe('null');
    expect(results.object.error).toMatchObject({ errorType: 'object', errorMessage: '{"code":7}' });
    expect(results.circular.error?.errorType).toBe('object');
  });

  it('item 26: sends Content-Type application/json on every /error post', async () => {
    run(() => {
      throw new Error('boom');
    });

    await emulator.invoke({});
    await emulator.invoke({});

    const errors = emulator.requests.filter((r) => r.endpoint === 'error');
    expect(errors).toHaveLength(2);
    for (const post of errors) {
      expect(post.headers['content-type']).toBe('application/json');
    }
  });

  it('item 28: reports a result that cannot be serialized via /error, not /response', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    run((event: { kind: string }) => (event.kind === 'bigint' ? { n: 10n } : circular));

    const big = await emulator.invoke({ kind: 'bigint' });
    const loop = await emulator.invoke({ kind: 'circular' });

    expect(big.via).toBe('error');
    expect(big.errorType).toBe('Runtime.SerializationError');
    expect(loop.errorType).toBe('Runtime.SerializationError');
    expect(emulator.requests.filter((r) => r.endpoint === 'response')).toEqual([]);
  });

  it('logs inside the handler carry the request id of the invocation', async () => {
    const { lines } = run(() => {
      throw new Error('logged');
    });

    const result = await emulator.invoke({});

    const invokeError = lines().find((line) => line.message === 'Invoke Error');
    expect(invokeError?.requestId).toBe(result.requestId);
  });

  it('item 24: logs the Invoke Error of a 3 MB message bounded as the /error body is', async () => {
    const { lines } = run(() => {
      throw new RangeError('x'.repeat(3_000_000));
    });

    const result = await emulator.invoke({});

    const invokeError = lines().find((line) => line.message === 'Invoke Error');
    const posted = emulator.requests.find((r) => r.endpoint === 'error');
    expect(result.errorType).toBe('RangeError');
    expect(invokeError?.errorMessage).toMatch(/truncated \d+ characters/);
    expect(JSON.stringify(invokeError).length).toBeLessThan(300_000);
    expect(invokeError?.errorMessage).toBe(JSON.parse(posted?.body.toString() ?? '{}').errorMessage);
  });

  it('item 8: rejects run() with a RuntimeApiError on a 5xx from /response', async () => {
    const { running } = run(() => 'answer');
    emulator.failNext('response', 500);

    const invoked = emulator.invoke({}, { timeoutMs: 1_000 });
    invoked.catch(() => undefined);

    await expect(running).rejects.toBeInstanceOf(RuntimeApiError);
    await expect(running).rejects.toMatchObject({ status: 500 });
  });

  it('item 8: rejects run() with a RuntimeApiError on a 5xx from /next', async () => {
    emulator.failNext('next', 500);

    const { running } = run(() => 'never');

    await expect(running).rejects.toMatchObject({ name: 'RuntimeApiError', status: 500 });
  });

  it('resolves run() after stop() once the current invocation is answered', async () => {
    let release: (() => void) | undefined;
    const { loop, running } = run(
      () =>
        new Promise((resolve) => {
          release = () => resolve('finished');
        }),
    );
    const invoked = emulator.invoke({});
    // The handler is running (not merely the /next answered), so stop() comes mid-invocation.
    await until(() => release !== undefined);

    loop.stop();
    release?.();
    const result = await invoked;
    await running;

    expect(result.json()).toBe('finished');
    expect(nextPolls(emulator)).toHaveLength(1);
  });

  it('resolves run() after stop() while waiting in /next', async () => {
    const { loop, running } = run(() => null);
    await until(() => nextPolls(emulator).length === 1);

    loop.stop();

    await expect(running).resolves.toBeUndefined();
  });
});
