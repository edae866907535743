/** The JSON body of `/error` and `/init/error`: exactly the three canonical keys. */
export interface ErrorDocument {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];
}

/**
 * Turns any thrown value into an {@link ErrorDocument}. Never throws, and the result always
 * serializes with `JSON.stringify`.
 *
 * Errors keep their own type (`errorType` property if it is a string, else `name`); strings,
 * `null`, numbers and objects are described by their JS type (`errorType: 'object'`, message the
 * JSON text). Circular objects and BigInt members fall back to a plain description; a value that
 * cannot even be read (throwing getters, revoked proxies) becomes `Runtime.UnknownError`.
 *
 * @example
 * ```ts
 * toErrorDocument(new TypeError('x is not a function'));
 * // { errorType: 'TypeError', errorMessage: 'x is not a function', stackTrace: ['TypeError: x ...', '    at ...'] }
 * toErrorDocument('boom'); // { errorType: 'string', errorMessage: 'boom', stackTrace: [] }
 * ```
 */
export function toErrorDocument(value: unknown): ErrorDocument {
  try {
    return describeThrown(value);
  } catch {
    // A hostile value (throwing getters, revoked proxy) must still produce a document.
    return { errorType: 'Runtime.UnknownError', errorMessage: 'unreadable thrown value', stackTrace: [] };
  }
}

function describeThrown(value: unknown): ErrorDocument {
  if (value instanceof Error) {
    return fromError(value);
  }
  if (typeof value === 'string') {
    return { errorType: 'string', errorMessage: value, stackTrace: [] };
  }
  if (value === null) {
    return { errorType: 'null', errorMessage: 'null', stackTrace: [] };
  }
  if (typeof value === 'object' && isErrorLike(value)) {
    return fromError(value);
  }
  return { errorType: typeof value, errorMessage: describe(value), stackTrace: [] };
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  errorType?: unknown;
}

function isErrorLike(value: object): value is ErrorLike {
  return typeof (value as ErrorLike).message === 'string' && typeof (value as ErrorLike).stack === 'string';
}

function fromError(error: ErrorLike): ErrorDocument {
  const errorType = safeString(error.errorType) ?? safeString(error.name) ?? 'Error';
  const errorMessage = safeString(error.message) ?? '';
  const stack = safeString(error.stack);
  return {
    errorType,
    errorMessage,
    stackTrace: stack === undefined ? [] : stack.split('\n'),
  };
}

function safeString(read: unknown): string | undefined {
  return typeof read === 'string' && read.length > 0 ? read : undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'undefined') return 'undefined';
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Circular structures and BigInt members land here; a plain description still says what it was.
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'unserializable value';
  }
}
