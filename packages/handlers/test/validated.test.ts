import { InvalidEventError, type InvocationContext, toErrorDocument } from '@lambda-runtime/api';
import * as fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import type { StandardSchemaV1 } from '../src/standard-schema.js';
import { formatIssue, validated } from '../src/validated.js';
import { invocationContext, recordingCallback } from './support.js';

const OrderEvent = v.object({
  orderId: v.pipe(v.string(), v.minLength(1)),
  lines: v.array(v.object({ sku: v.string(), quantity: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
  priority: v.optional(v.picklist(['low', 'high']), 'low'),
});

/** A Standard Schema from "another library": validates asynchronously, paths as `{ key }` segments. */
function asyncSchema<T>(check: (value: unknown) => StandardSchemaV1.Issue[]): StandardSchemaV1<unknown, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'hand-written',
      validate: async (value) => {
        const issues = check(value);
        return issues.length > 0 ? { issues } : { value: value as T };
      },
    },
  };
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('validated', () => {
  it('calls the handler with the schema output when the event matches', async () => {
    const handler = vi.fn(async (event: v.InferOutput<typeof OrderEvent>, _context: InvocationContext) => ({
      id: event.orderId,
    }));
    const wrapped = validated(OrderEvent, handler);
    const context = invocationContext();
    const event = { orderId: 'o-1', lines: [{ sku: 'a', quantity: 2 }], extra: true };

    const result = await wrapped(event, context, recordingCallback());

    expect(result).toEqual({ id: 'o-1' });
    expect(handler).toHaveBeenCalledTimes(1);
    // The output, not the input: the default is applied and the unknown key is gone.
    expect(handler.mock.calls[0]?.[0]).toEqual({
      orderId: 'o-1',
      lines: [{ sku: 'a', quantity: 2 }],
      priority: 'low',
    });
    expect(handler.mock.calls[0]?.[1]).toBe(context);
  });

  it('throws InvalidEventError naming every failing path and skips the handler when the event does not match', () => {
    const handler = vi.fn(() => 'called');
    const wrapped = validated(OrderEvent, handler);
    const event = {
      orderId: '',
      lines: [
        { sku: 'a', quantity: 1 },
        { sku: 7, quantity: 0.5 },
      ],
      priority: 'urgent',
    };

    const error = catchError(() => wrapped(event, invocationContext(), recordingCallback()));

    expect(handler).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.errorType).toBe('Runtime.InvalidEvent');
    expect(invalid.issues).toEqual([
      'orderId: Invalid length: Expected >=1 but received 0',
      'lines.1.sku: Invalid type: Expected string but received 7',
      'lines.1.quantity: Invalid integer: Received 0.5',
      'lines.1.quantity: Invalid value: Expected >=1 but received 0.5',
      'priority: Invalid type: Expected ("low" | "high") but received "urgent"',
    ]);
    expect(invalid.message).toBe(`Invalid event (5 issues): ${invalid.issues.join('; ')}`);
    expect(toErrorDocument(invalid)).toMatchObject({
      errorType: 'Runtime.InvalidEvent',
      errorMessage: invalid.message,
    });
  });

  it('names the root when the event itself has the wrong type', () => {
    const wrapped = validated(OrderEvent, () => 'called');

    const error = catchError(() => wrapped('not an object', invocationContext(), recordingCallback()));

    expect((error as InvalidEventError).issues).toEqual([
      '(root): Invalid type: Expected Object but received "not an object"',
    ]);
    expect((error as InvalidEventError).message).toBe(
      'Invalid event: (root): Invalid type: Expected Object but received "not an object"',
    );
  });

  it('spells out ten issues in the message and keeps all of them in issues when there are more', () => {
    const wrapped = validated(v.array(v.string()), () => 'called');
    const event = Array.from({ length: 25 }, (_, index) => index);

    const error = catchError(() =>
      wrapped(event, invocationContext(), recordingCallback()),
    ) as InvalidEventError;

    expect(error.issues).toHaveLength(25);
    expect(error.issues[24]).toBe('24: Invalid type: Expected string but received 24');
    expect(error.message).toContain('9: Invalid type');
    expect(error.message).not.toContain('10: Invalid type');
    expect(error.message.endsWith('; and 15 more')).toBe(true);
  });

  it("returns the handler's own return value and passes the runtime's callback through when the schema is synchronous", () => {
    const promise = Promise.resolve('async result');
    const callback = recordingCallback();
    const seen: unknown[] = [];
    const asyncStyle = validated(v.string(), () => promise);
    const callbackStyle = validated(v.string(), (_event, _context, cb) => {
      seen.push(cb);
    });

    const returnedPromise = asyncStyle('x', invocationContext(), callback);
    const returnedNothing = callbackStyle('x', invocationContext(), callback);

    expect(returnedPromise).toBe(promise);
    expect(returnedNothing).toBeUndefined();
    expect(seen).toEqual([callback]);
  });

  it('keeps the arity of the wrapped handler so callback-style handlers are recognised', () => {
    const wrappedCallbackStyle = validated(v.string(), (_event, _context, _callback) => undefined);
    const wrappedPlain = validated(v.string(), (event) => event);

    expect(wrappedCallbackStyle.length).toBe(3);
    expect(wrappedPlain.length).toBe(1);
  });

  it('accepts any Standard Schema and awaits an asynchronous one', async () => {
    const schema = asyncSchema<{ id: string }>((value) =>
      typeof (value as { id?: unknown }).id === 'string'
        ? []
        : [{ message: 'Required', path: [{ key: 'id' }] }],
    );
    const handler = vi.fn((event: { id: string }) => ({ got: event.id }));
    const wrapped = validated(schema, handler);

    const answered = await wrapped({ id: 'a' }, invocationContext(), recordingCallback());
    const rejected = wrapped({}, invocationContext(), recordingCallback());

    expect(answered).toEqual({ got: 'a' });
    await expect(rejected).rejects.toThrow(InvalidEventError);
    await expect(rejected).rejects.toMatchObject({ issues: ['id: Required'] });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('leaves the answer to the callback of a callback-style handler when the schema is asynchronous', async () => {
    const schema = asyncSchema<string>(() => []);
    const callback = recordingCallback();
    const wrapped = validated(schema, (event: string, _context, cb) => {
      setImmediate(() => cb(null, `${event}!`));
    });

    const returned = wrapped('hi', invocationContext(), callback);
    const settled = await Promise.race([
      Promise.resolve(returned).then(() => 'settled'),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 50)),
    ]);

    // The runtime's callback answers (once); the returned promise adds no second completion.
    expect(callback.calls).toEqual([[null, 'hi!']]);
    expect(settled).toBe('pending');
  });

  it('throws a TypeError at once when the schema is not a Standard Schema', () => {
    const notASchema = { parse: (value: unknown) => value } as unknown as StandardSchemaV1;

    expect(() => validated(notASchema, () => undefined)).toThrow(TypeError);
    expect(() => validated(undefined as unknown as StandardSchemaV1, () => undefined)).toThrow(
      /Standard Schema v1/,
    );
  });
});

describe('formatIssue', () => {
  it('joins keys and key segments with dots when the path mixes them', () => {
    const symbol = Symbol('meta');

    const formatted = formatIssue({ message: 'Bad', path: ['Records', 0, { key: 'body' }, { key: symbol }] });

    expect(formatted).toBe('Records.0.body.Symbol(meta): Bad');
  });

  it('writes every key of any path in order', () => {
    const key = fc.oneof(
      fc.string({ minLength: 1 }).filter((s) => !s.includes('.')),
      fc.nat(),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            key,
            key.map((k) => ({ key: k })),
          ),
          { minLength: 1 },
        ),
        fc.string(),
        (path, message) => {
          const keys = path.map((segment) => String(typeof segment === 'object' ? segment.key : segment));

          expect(formatIssue({ message, path })).toBe(`${keys.join('.')}: ${message}`);
        },
      ),
    );
  });
});
