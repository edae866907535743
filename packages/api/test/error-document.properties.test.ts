import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toErrorDocument } from '../src/error-document.js';

/** Asserts the §5 shape: exactly three keys of the right types, unchanged by a JSON round trip. */
function expectCanonical(value: unknown): void {
  let document: unknown;
  expect(() => {
    document = toErrorDocument(value);
  }).not.toThrow();

  const doc = document as Record<string, unknown>;
  expect(Object.keys(doc).sort()).toEqual(['errorMessage', 'errorType', 'stackTrace']);
  expect(typeof doc.errorType).toBe('string');
  expect(typeof doc.errorMessage).toBe('string');
  expect(Array.isArray(doc.stackTrace)).toBe(true);
  expect((doc.stackTrace as unknown[]).every((line) => typeof line === 'string')).toBe(true);
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
}

const everything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** Objects that refer to themselves, directly or through a child. */
const circular = fc
  .tuple(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), fc.string(), fc.boolean())
  .map(([base, key, deep]) => {
    const value: Record<string, unknown> = { ...base };
    // defineProperty, not assignment: a generated key of "__proto__" must be an own property (an
    // assignment would set the prototype, which throws "Cyclic __proto__ value" for a self-reference).
    Object.defineProperty(value, key, {
      value: deep ? { parent: value } : value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return value;
  });

/** Objects with a BigInt somewhere inside. */
const withBigInt = fc
  .tuple(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), fc.string(), fc.bigInt())
  .map(([base, key, big]) => ({ ...base, [key]: { nested: big } }));

// Hostile values are generated as recipes and built inside the property: fast-check itself would
// trip over a revoked proxy while recording the generated value.

/** An object (or Error) one of whose properties throws when read. */
const throwingGetters = fc
  .tuple(
    fc.constantFrom('message', 'stack', 'name', 'errorType', 'toJSON', 'constructor'),
    fc.boolean(),
    fc.anything(),
  )
  .map(([property, isError, thrown]) => () => {
    const target: object = isError ? new Error('hostile') : { message: 'm', stack: 's' };
    Object.defineProperty(target, property, {
      get() {
        throw thrown;
      },
      configurable: true,
    });
    return target;
  });

/** Proxies whose traps throw, or that are revoked. */
const proxies = fc
  .tuple(
    fc.constantFrom('get', 'getPrototypeOf', 'ownKeys', 'has', 'getOwnPropertyDescriptor', 'revoked', 'none'),
    fc.boolean(),
  )
  .map(([trap, overError]) => () => {
    const target: object = overError ? new RangeError('inside a proxy') : { a: 1 };
    if (trap === 'revoked') {
      const { proxy, revoke } = Proxy.revocable(target, {});
      revoke();
      return proxy;
    }
    if (trap === 'none') return new Proxy(target, {});
    return new Proxy(target, {
      [trap]() {
        throw new Error(`trap ${trap}`);
      },
    });
  });

/** Null-prototype objects, some shaped like errors. */
const nullPrototype = fc
  .tuple(
    fc.dictionary(fc.string(), fc.anything(), { maxKeys: 4 }),
    fc.option(fc.string()),
    fc.option(fc.string()),
  )
  .map(([fields, message, stack]) => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, fields);
    if (message !== null) value.message = message;
    if (stack !== null) value.stack = stack;
    return value;
  });

/** A name an Error subclass might carry. */
const errorName = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,30}(Error|Exception)?$/);

describe('toErrorDocument properties', () => {
  it('item 25: returns the three canonical keys, JSON round-trippable, for any value', () => {
    fc.assert(
      fc.property(everything, (value) => {
        expectCanonical(value);
      }),
    );
  });

  it('item 25: returns a canonical document for circular objects and BigInt members', () => {
    fc.assert(
      fc.property(fc.oneof(circular, withBigInt, fc.bigInt()), (value) => {
        expectCanonical(value);
      }),
    );
  });

  it('item 25: returns a canonical document for throwing getters and hostile proxies', () => {
    fc.assert(
      fc.property(fc.oneof(throwingGetters, proxies), (build) => {
        expectCanonical(build());
      }),
    );
  });

  it('item 25: returns a canonical document for null-prototype objects', () => {
    fc.assert(
      fc.property(nullPrototype, (value) => {
        expectCanonical(value);
      }),
    );
  });

  it('item 25: describes strings, numbers and other non-errors by their JS type', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(undefined), fc.bigInt()),
        (value) => {
          const document = toErrorDocument(value);

          expect(document.errorType).toBe(typeof value);
          expect(document.stackTrace).toEqual([]);
          if (typeof value === 'string') expect(document.errorMessage).toBe(value);
        },
      ),
    );
  });

  it('item 24: keeps the name, message and stack lines of Error subclasses', () => {
    fc.assert(
      fc.property(errorName, fc.string(), fc.boolean(), (name, message, viaClass) => {
        let error: Error;
        if (viaClass) {
          // A real subclass whose prototype carries the name, as user code usually declares it.
          const Subclass = class extends Error {};
          Object.defineProperty(Subclass.prototype, 'name', { value: name });
          error = new Subclass(message);
        } else {
          error = new TypeError(message);
          error.name = name;
        }

        const document = toErrorDocument(error);

        expectCanonical(error);
        expect(document.errorType).toBe(name);
        expect(document.errorMessage).toBe(message);
        expect(document.stackTrace).toEqual(String(error.stack).split('\n'));
      }),
    );
  });

  it('item 24: keeps the built-in error types (TypeError, RangeError, ...) with their messages', () => {
    const constructors = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

    fc.assert(
      fc.property(fc.constantFrom(...constructors), fc.string(), (ErrorClass, message) => {
        const document = toErrorDocument(new ErrorClass(message));

        expect(document.errorType).toBe(ErrorClass.name);
        expect(document.errorMessage).toBe(message);
        expect(document.stackTrace.length).toBeGreaterThan(0);
      }),
    );
  });

  it('item 24: prefers a string errorType property over the name', () => {
    fc.assert(
      fc.property(errorName, fc.stringMatching(/^Runtime\.[A-Z][A-Za-z]{1,20}$/), (name, errorType) => {
        const error = Object.assign(new Error('x'), { name, errorType });

        expect(toErrorDocument(error).errorType).toBe(errorType);
      }),
    );
  });
});
