import type { InvocationContext } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
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
