import { describe, expect, it } from 'vitest';
import {
  boundErrorDocument,
  type ErrorDocument,
  MAX_ERROR_DOCUMENT_CHARS,
  MAX_ERROR_TYPE_CHARS,
  MAX_STACK_LINE_CHARS,
  MAX_STACK_LINES,
  toErrorDocument,
} from '../src/error-document.js';
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

describe('boundErrorDocument', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const redact = (text: string): string => text.replaceAll(SECRET, '[redacted]');

  /** What a thrown error with this message posts: its stack's first line repeats the message. */
  function documentOf(message: string, frames = 10): ErrorDocument {
    return {
      errorType: 'Error',
      errorMessage: message,
      stackTrace: [
        `Error: ${message}`,
        ...Array.from({ length: frames }, (_, i) => `    at fn${i} (/var/task/index.js:${i + 1}:5)`),
      ],
    };
  }

  function charsOf(document: ErrorDocument): number {
    return document.errorMessage.length + document.stackTrace.reduce((sum, line) => sum + line.length, 0);
  }

  it('item 24: keeps a document within the bounds unchanged', () => {
    const document = documentOf('order 42 does not exist');

    const bounded = boundErrorDocument(document);

    expect(bounded).toEqual(document);
  });

  it('item 24: bounds errorMessage plus stackTrace when a 3 MB message is repeated by the first stack line', () => {
    const message = 'x'.repeat(3 * 1024 * 1024);

    const bounded = boundErrorDocument(documentOf(message));
    const body = JSON.stringify(bounded);

    expect(charsOf(bounded)).toBeLessThanOrEqual(MAX_ERROR_DOCUMENT_CHARS);
    expect(body.length).toBeLessThan(MAX_ERROR_DOCUMENT_CHARS + 1024);
    expect(bounded.errorMessage).toMatch(/^x+… \[truncated \d+ characters\]$/);
    const dropped = Number(/truncated (\d+) characters/.exec(bounded.errorMessage)?.[1]);
    expect(bounded.errorMessage.indexOf('…') + dropped).toBe(message.length);
    expect(bounded.stackTrace[0]?.length).toBeLessThanOrEqual(MAX_STACK_LINE_CHARS);
    expect(bounded.stackTrace[0]).toMatch(/^Error: x+… \[truncated \d+ characters\]$/);
    // Every frame is kept: they are what the reader needs, and they are small.
    expect(bounded.stackTrace.slice(1)).toEqual(documentOf('', 10).stackTrace.slice(1));
  });

  it('item 24: keeps the first stack lines and says how many were dropped when the stack is too long', () => {
    const frames = Array.from(
      { length: 1000 },
      (_, i) => `    at fn${i} (/var/task/${'d/'.repeat(1000)}m.js:1:1)`,
    );
    const document = { errorType: 'Error', errorMessage: 'deep', stackTrace: ['Error: deep', ...frames] };

    const bounded = boundErrorDocument(document);

    expect(charsOf(bounded)).toBeLessThanOrEqual(MAX_ERROR_DOCUMENT_CHARS);
    expect(bounded.errorMessage).toBe('deep');
    const kept = bounded.stackTrace.slice(0, -1);
    expect(kept).toEqual(document.stackTrace.slice(0, kept.length));
    expect(bounded.stackTrace.at(-1)).toBe(`… [truncated ${1001 - kept.length} stack lines]`);
  });

  it(`item 24: keeps at most ${MAX_STACK_LINES} stack lines, marking the rest, when frames are short`, () => {
    const document = documentOf('many', 150);

    const bounded = boundErrorDocument(document);

    expect(bounded.stackTrace).toHaveLength(MAX_STACK_LINES + 1);
    expect(bounded.stackTrace.at(-1)).toBe('… [truncated 51 stack lines]');
  });

  it('redacts before cutting, so no part of a secret that straddles a cut is posted', () => {
    // The secret repeated: wherever a cut falls, it falls inside one of them.
    const message = SECRET.repeat(80_000);

    const bounded = boundErrorDocument(documentOf(message), { redact });
    const body = JSON.stringify(bounded);

    expect(body).not.toContain(SECRET.slice(0, 8));
    expect(bounded.errorMessage).toMatch(/^(\[redacted\])+/);
    expect(charsOf(bounded)).toBeLessThanOrEqual(MAX_ERROR_DOCUMENT_CHARS);
  });

  it('redacts the type and every stack line', () => {
    const document = { errorType: `Type${SECRET}`, errorMessage: SECRET, stackTrace: [`at ${SECRET}`] };

    const bounded = boundErrorDocument(document, { redact });

    expect(bounded).toEqual({
      errorType: 'Type[redacted]',
      errorMessage: '[redacted]',
      stackTrace: ['at [redacted]'],
    });
  });

  it(`item 24: cuts an errorType longer than ${MAX_ERROR_TYPE_CHARS} characters`, () => {
    const bounded = boundErrorDocument({ errorType: 'T'.repeat(5000), errorMessage: '', stackTrace: [] });

    expect(bounded.errorType.length).toBeLessThanOrEqual(MAX_ERROR_TYPE_CHARS);
    expect(bounded.errorType).toMatch(/^T+… \[truncated \d+ characters\]$/);
  });

  it('never splits a surrogate pair at a cut', () => {
    const bounded = boundErrorDocument(documentOf('😀'.repeat(200_000)));

    expect(bounded.errorMessage).toMatch(/^(😀)+… \[truncated \d+ characters\]$/u);
    expect(() => encodeURIComponent(bounded.errorMessage)).not.toThrow();
  });

  it('item 25: gives the canonical keys and types when a document has wrong ones', () => {
    const hostile = {
      errorType: 42,
      errorMessage: { text: 'x' },
      stackTrace: 'not an array',
      extra: true,
    } as unknown as ErrorDocument;

    const bounded = boundErrorDocument(hostile);

    expect(bounded).toEqual({ errorType: 'Runtime.UnknownError', errorMessage: '', stackTrace: [] });
  });
});
