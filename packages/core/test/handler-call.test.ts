import { type InvocationContext, RELEASE_CONTEXT } from '@lambda-runtime/api';
import { DefaultContextBuilder } from '@lambda-runtime/context';
import { describe, expect, it, vi } from 'vitest';
import { callHandler, HandlerCall } from '../src/handler-call.js';
import { memoryLogger } from './support.js';

class TenantContext {
  readonly awsRequestId = 'r-1';
  readonly tenant = 'acme';
  callbackWaitsForEmptyEventLoop = true;

  describeTenant(): string {
    return `${this.tenant}/${this.awsRequestId}`;
  }
}

/** A context that counts its releases, or throws from its release when `failing`. */
class ReleasingContext extends TenantContext {
  released = 0;
  constructor(private readonly failing = false) {
    super();
  }
  [RELEASE_CONTEXT](): void {
    this.released += 1;
    if (this.failing) throw new Error('release broke');
  }
}

function defaultContext(deadlineMs: number): InvocationContext {
  const builder = new DefaultContextBuilder({
    functionName: 'fn',
    functionVersion: '$LATEST',
    memorySizeMb: 128,
    logGroupName: undefined,
    logStreamName: undefined,
  });
  return builder.build({
    requestId: 'r-1',
    deadlineMs: String(deadlineMs),
    invokedFunctionArn: undefined,
    traceId: undefined,
    clientContext: undefined,
    cognitoIdentity: undefined,
    tenantId: undefined,
    contentType: 'application/json',
    headers: {},
    body: new Uint8Array(),
  });
}

function built(integrity: (context: object) => object): InvocationContext {
  return integrity(new TenantContext()) as unknown as InvocationContext;
}

describe('HandlerCall', () => {
  it('puts the completion functions on the built context itself when it takes them', async () => {
    const context = built((c) => c);
    const call = new HandlerCall(context, memoryLogger().logger);

    callHandler(() => undefined, {}, call);
    call.context.succeed('done');

    expect(call.context).toBe(context);
    await expect(call.outcome).resolves.toMatchObject({ failed: false, value: 'done' });
  });

  it.each([
    ['frozen', Object.freeze, Object.isFrozen],
    ['sealed', Object.seal, Object.isSealed],
    ['not extensible', Object.preventExtensions, (o: object) => !Object.isExtensible(o)],
  ])(
    'hands over a %s copy with the same prototype, fields and completions when the context refuses them',
    async (_name, integrity, check) => {
      const context = built(integrity);
      const call = new HandlerCall(context, memoryLogger().logger);

      callHandler((_event, handed: InvocationContext) => handed.fail(new RangeError('no')), {}, call);
      const outcome = await call.outcome;

      expect(call.context).not.toBe(context);
      expect(call.context).toBeInstanceOf(TenantContext);
      expect((call.context as unknown as TenantContext).describeTenant()).toBe('acme/r-1');
      expect({ ...call.context }).toMatchObject({ awsRequestId: 'r-1', tenant: 'acme' });
      expect(check(call.context)).toBe(true);
      expect(outcome).toMatchObject({
        failed: true,
        value: new RangeError('no'),
        waitForEmptyEventLoop: true,
      });
    },
  );

  it('keeps callbackWaitsForEmptyEventLoop settable on the copy of a frozen context', async () => {
    const call = new HandlerCall(built(Object.freeze), memoryLogger().logger);

    callHandler(
      (_event, handed: InvocationContext, callback) => {
        handed.callbackWaitsForEmptyEventLoop = false;
        callback(null, 'at once');
      },
      {},
      call,
    );
    const outcome = await call.outcome;

    expect(Object.isFrozen(call.context)).toBe(true);
    expect(call.context.callbackWaitsForEmptyEventLoop).toBe(false);
    expect(outcome).toMatchObject({ failed: false, value: 'at once', waitForEmptyEventLoop: false });
  });

  it('releases the context once, as the first completion settles it, when the handler completes twice', () => {
    const context = new ReleasingContext();
    const call = new HandlerCall(context as unknown as InvocationContext, memoryLogger().logger);

    callHandler(() => undefined, {}, call);
    const beforeCompletion = context.released;
    call.context.succeed('first');
    const atCompletion = context.released;
    call.context.fail(new Error('second'));

    expect(beforeCompletion).toBe(0);
    expect(atCompletion).toBe(1);
    expect(context.released).toBe(1);
  });

  it('answers anyway and logs a warning when the context fails to release', async () => {
    const { logger, lines } = memoryLogger();
    const call = new HandlerCall(new ReleasingContext(true) as unknown as InvocationContext, logger);

    callHandler(async () => 'answer', {}, call);
    const outcome = await call.outcome;

    expect(outcome).toMatchObject({ failed: false, value: 'answer' });
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        requestId: 'r-1',
        message: 'The invocation context failed to release its resources',
      }),
    );
  });

  it.each([
    ['the built context', (c: InvocationContext) => c],
    ['the copy of a frozen context', Object.freeze],
  ])(
    'item 48: clears the timer of context.signal read on %s when the handler completes',
    async (_name, integrity) => {
      vi.useFakeTimers({ now: 1_000_000 });
      try {
        const call = new HandlerCall(integrity(defaultContext(1_000_000 + 60_000)), memoryLogger().logger);

        callHandler(async (_event, handed: InvocationContext) => handed.signal, {}, call);
        const armed = vi.getTimerCount();
        const { value: signal } = await call.outcome;
        vi.advanceTimersByTime(120_000);

        expect(armed).toBe(1);
        expect(vi.getTimerCount()).toBe(0);
        expect((signal as AbortSignal).aborted).toBe(false);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it('throws a TypeError when the context builder returned a promise', () => {
    const logger = memoryLogger().logger;

    expect(() => new HandlerCall(Promise.resolve(built((c) => c)), logger)).toThrow(/returned a promise/);
  });

  it('hands over a copy when a proxy accepts the completion functions but keeps none', async () => {
    const context = new Proxy(
      built((c) => c),
      { set: () => true },
    );
    const call = new HandlerCall(context, memoryLogger().logger);

    callHandler((_event, handed: InvocationContext) => handed.done(null, 'via done'), {}, call);

    expect(call.context).not.toBe(context);
    await expect(call.outcome).resolves.toMatchObject({ failed: false, value: 'via done' });
  });

  it.each([null, undefined, 'a string', 42])(
    'throws a TypeError when the context builder returned %s',
    (value) => {
      const logger = memoryLogger().logger;

      expect(() => new HandlerCall(value, logger)).toThrow(TypeError);
    },
  );
});
