import { describe, expect, it } from 'vitest';
import { toErrorDocument } from '../src/error-document.js';
import { SerializationError } from '../src/errors.js';

describe('toErrorDocument', () => {
  it('keeps an Error subclass name, message and stack lines', () => {
    const error = new TypeError('x is not a function');

    const document = toErrorDocument(error);

    expect(document.errorType).toBe('TypeError');
    expect(document.errorMessage).toBe('x is not a function');
    expect(document.stackTrace[0]).toBe('TypeError: x is not a function');
    expect(document.stackTrace.length).toBeGreaterThan(1);
    expect(Object.keys(document)).toEqual(['errorType', 'errorMessage', 'stackTrace']);
  });

  it("uses the runtime's own errorType for LambdaRuntimeError subclasses", () => {
    const document = toErrorDocument(new SerializationError('circular', { cause: new TypeError('cycle') }));

    expect(document.errorType).toBe('Runtime.SerializationError');
    expect(document.errorMessage).toBe('circular');
  });

  it('item 25: describes a thrown string as type string with the string as message', () => {
    expect(toErrorDocument('boom')).toEqual({ errorType: 'string', errorMessage: 'boom', stackTrace: [] });
  });

  it('item 25: describes null and undefined', () => {
    expect(toErrorDocument(null)).toEqual({ errorType: 'null', errorMessage: 'null', stackTrace: [] });
    expect(toErrorDocument(undefined)).toEqual({
      errorType: 'undefined',
      errorMessage: 'undefined',
      stackTrace: [],
    });
  });

  it('item 25: describes a plain object by its JSON text', () => {
    expect(toErrorDocument({ code: 42 })).toEqual({
      errorType: 'object',
      errorMessage: '{"code":42}',
      stackTrace: [],
    });
  });

  it('item 25: still produces valid JSON for a circular object and a BigInt', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;

    const fromCircular = toErrorDocument(circular);
    const fromBigInt = toErrorDocument(10n);

    expect(fromCircular).toEqual({ errorType: 'object', errorMessage: '[object Object]', stackTrace: [] });
    expect(fromBigInt).toEqual({ errorType: 'bigint', errorMessage: '10n', stackTrace: [] });
    expect(() => JSON.stringify(fromCircular)).not.toThrow();
  });

  it('treats an error-like object (message and stack strings) as an error', () => {
    const document = toErrorDocument({
      name: 'RemoteError',
      message: 'far away',
      stack: 'RemoteError: far away\n    at x',
    });

    expect(document).toEqual({
      errorType: 'RemoteError',
      errorMessage: 'far away',
      stackTrace: ['RemoteError: far away', '    at x'],
    });
  });

  it('survives a value whose getters throw', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reading me');
        },
        getPrototypeOf() {
          throw new Error('no reading me');
        },
      },
    );

    const document = toErrorDocument(hostile);

    expect(document.errorType).toBe('Runtime.UnknownError');
    expect(() => JSON.stringify(document)).not.toThrow();
  });

  it('falls back to Error when an error has an empty name, and keeps an empty message', () => {
    const error = new Error('');
    error.name = '';

    expect(toErrorDocument(error)).toMatchObject({ errorType: 'Error', errorMessage: '' });
  });
});
