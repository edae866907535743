import { type Clock, type Invocation, MalformedInvocationError } from '@lambda-runtime/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefaultContextBuilder } from '../src/default-context-builder.js';

const environment = {
  functionName: 'f',
  functionVersion: '1',
  memorySizeMb: 128,
  logGroupName: undefined,
  logStreamName: undefined,
};

function invocation(fields: Partial<Invocation> = {}): Invocation {
  return {
    requestId: 'id',
    deadlineMs: '1767225600123',
    invokedFunctionArn: undefined,
    traceId: undefined,
    clientContext: undefined,
    cognitoIdentity: undefined,
    tenantId: undefined,
    contentType: 'application/json',
    headers: {},
    body: new Uint8Array(),
    ...fields,
  };
}

/** A clock the test moves by hand. */
function manualClock(start: number): Clock & { set(now: number): void } {
  let now = start;
  return { now: () => now, set: (value) => (now = value) };
}

/** Runs `build` and returns the thrown value, or `undefined` when it did not throw. */
function thrownBy(build: () => unknown): unknown {
  try {
    build();
    return undefined;
  } catch (error) {
    return error;
  }
}

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }));
const jsonObject = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 });
const jsonNonObject = fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));

describe('DefaultContextBuilder properties', () => {
  it('item 10: parses any digit string within the safe range as that number', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 5 }), (n, zeros) => {
        const raw = '0'.repeat(zeros) + String(n);

        expect(builder.build(invocation({ deadlineMs: raw })).deadlineMs).toBe(n);
      }),
    );
  });

  it('rejects any deadline that is not only digits', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((raw) => !/^[0-9]+$/.test(raw)),
        (raw) => {
          expect(() => builder.build(invocation({ deadlineMs: raw }))).toThrow(/Lambda-Runtime-Deadline-Ms/);
        },
      ),
    );
  });

  it('item 10: throws only MalformedInvocationError for any deadline string that is not a safe digit string', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(anyString, (raw) => {
        const error = thrownBy(() => builder.build(invocation({ deadlineMs: raw })));

        const valid = /^[0-9]+$/.test(raw) && Number.isSafeInteger(Number(raw));
        if (valid) {
          expect(error).toBeUndefined();
        } else {
          expect(error).toBeInstanceOf(MalformedInvocationError);
        }
      }),
    );
  });

  it('item 10: rejects digit strings beyond Number.MAX_SAFE_INTEGER with MalformedInvocationError', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 10n ** 30n }), (big) => {
        const error = thrownBy(() => builder.build(invocation({ deadlineMs: big.toString() })));

        expect(error).toBeInstanceOf(MalformedInvocationError);
      }),
    );
  });

  it('item 10: getRemainingTimeInMillis equals deadline minus clock.now() at every call, negative after the deadline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 45 }), { minLength: 1, maxLength: 5 }),
        (deadline, nows) => {
          const clock = manualClock(nows[0] ?? 0);
          const context = new DefaultContextBuilder(environment, clock).build(
            invocation({ deadlineMs: String(deadline) }),
          );

          for (const now of nows) {
            clock.set(now);
            const remaining = context.getRemainingTimeInMillis();
            expect(remaining).toBe(deadline - now);
            expect(remaining <= 0).toBe(now >= deadline);
          }
          expect(context.deadlineMs).toBe(deadline);
        },
      ),
    );
  });

  it('item 12: parses any JSON object in client context and identity into an equal value', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(jsonObject, jsonObject, (clientContext, identity) => {
        const context = builder.build(
          invocation({
            clientContext: JSON.stringify(clientContext),
            cognitoIdentity: JSON.stringify(identity),
          }),
        );

        expect(context.clientContext).toEqual(JSON.parse(JSON.stringify(clientContext)));
        expect(context.identity).toEqual(JSON.parse(JSON.stringify(identity)));
      }),
    );
  });

  it('item 12: leaves client context and identity undefined when the headers are absent or empty', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(
        fc.constantFrom(undefined, ''),
        fc.constantFrom(undefined, ''),
        (clientContext, identity) => {
          const context = builder.build(invocation({ clientContext, cognitoIdentity: identity }));

          expect(context.clientContext).toBeUndefined();
          expect(context.identity).toBeUndefined();
        },
      ),
    );
  });

  it('item 13: rejects JSON that is not an object (array, string, number, boolean, null) in either header', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(jsonNonObject, fc.boolean(), (value, asIdentity) => {
        const raw = JSON.stringify(value);
        const fields = asIdentity ? { cognitoIdentity: raw } : { clientContext: raw };

        const error = thrownBy(() => builder.build(invocation(fields)));

        expect(error).toBeInstanceOf(MalformedInvocationError);
      }),
    );
  });

  it('item 13: never throws anything but MalformedInvocationError for arbitrary client context or identity text', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(anyString, fc.boolean(), (raw, asIdentity) => {
        const fields = asIdentity ? { cognitoIdentity: raw } : { clientContext: raw };

        const error = thrownBy(() => builder.build(invocation(fields)));

        if (error === undefined) {
          // It built: then the text was a JSON object (or empty, meaning absent).
          const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
          expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
        } else {
          expect(error).toBeInstanceOf(MalformedInvocationError);
        }
      }),
    );
  });

  it('item 14: exposes any non-empty tenant id and trace id verbatim, and treats empty ones as absent', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(fc.option(anyString), fc.option(anyString), (tenantId, traceId) => {
        const context = builder.build(
          invocation({ tenantId: tenantId ?? undefined, traceId: traceId ?? undefined }),
        );

        expect(context.tenantId).toBe(tenantId === null || tenantId === '' ? undefined : tenantId);
        expect(context.traceId).toBe(traceId === null || traceId === '' ? undefined : traceId);
      }),
    );
  });

  it('items 4, 9: copies request id and ARN verbatim and the environment fields into every context', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.string()),
        fc.record({
          functionName: fc.string({ minLength: 1 }),
          functionVersion: fc.string({ minLength: 1 }),
          memorySizeMb: fc.integer({ min: 128, max: 10_240 }),
          logGroupName: fc.option(fc.string(), { nil: undefined }),
          logStreamName: fc.option(fc.string(), { nil: undefined }),
        }),
        (requestId, arn, env) => {
          const context = new DefaultContextBuilder(env).build(
            invocation({ requestId, invokedFunctionArn: arn ?? undefined }),
          );

          expect(context.awsRequestId).toBe(requestId);
          expect(context.invokedFunctionArn).toBe(arn ?? '');
          expect(context.functionName).toBe(env.functionName);
          expect(context.functionVersion).toBe(env.functionVersion);
          expect(context.memoryLimitInMB).toBe(String(env.memorySizeMb));
          expect(context.logGroupName).toBe(env.logGroupName ?? '');
          expect(context.logStreamName).toBe(env.logStreamName ?? '');
        },
      ),
    );
  });
});
