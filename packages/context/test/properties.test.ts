import type { Invocation } from '@lambda-runtime/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefaultContextBuilder } from '../src/default-context-builder.js';
import { DefaultPayloadCodec } from '../src/default-payload-codec.js';

const environment = {
  functionName: 'f',
  functionVersion: '1',
  memorySizeMb: 128,
  logGroupName: undefined,
  logStreamName: undefined,
};

function invocation(deadlineMs: string): Invocation {
  return {
    requestId: 'id',
    deadlineMs,
    invokedFunctionArn: undefined,
    traceId: undefined,
    clientContext: undefined,
    cognitoIdentity: undefined,
    tenantId: undefined,
    contentType: 'application/json',
    headers: {},
    body: new Uint8Array(),
  };
}

describe('DefaultPayloadCodec properties', () => {
  it('round-trips any JSON value through encode and decode', () => {
    const codec = new DefaultPayloadCodec();

    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { body, contentType } = codec.encode(value);
        const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;

        expect(codec.decode(bytes, contentType)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('DefaultContextBuilder properties', () => {
  it('item 10: parses any digit string within the safe range as that number', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 5 }), (n, zeros) => {
        const raw = '0'.repeat(zeros) + String(n);

        expect(builder.build(invocation(raw)).deadlineMs).toBe(n);
      }),
    );
  });

  it('rejects any deadline that is not only digits', () => {
    const builder = new DefaultContextBuilder(environment);

    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((raw) => !/^[0-9]+$/.test(raw)),
        (raw) => {
          expect(() => builder.build(invocation(raw))).toThrow(/Lambda-Runtime-Deadline-Ms/);
        },
      ),
    );
  });
});
