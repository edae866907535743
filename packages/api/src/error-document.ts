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

/**
 * The most characters `errorMessage` and `stackTrace` of a posted error document hold together,
 * markers included (see {@link boundErrorDocument}). 128 Ki characters keeps the body of an
 * ASCII error near 130 KB: under the 256 KiB that Step Functions and SQS accept for a payload the
 * error may be passed on in, and even if every character had to be escaped as `\uXXXX` (6 bytes)
 * under the 1 MiB that Lambda Managed Instances accept for an error body and that X-Ray clients
 * accept for an error cause; far under the 6 MB a synchronous caller can receive. A longer message
 * is noise to whoever reads the error, and the whole of it is still in the function's log.
 */
export const MAX_ERROR_DOCUMENT_CHARS = 128 * 1024;

/** The longest `errorType` of a posted error document (it also becomes a header value). */
export const MAX_ERROR_TYPE_CHARS = 1024;

/** The most `stackTrace` lines of a posted error document. */
export const MAX_STACK_LINES = 100;

/**
 * The longest single `stackTrace` line. A frame is a few hundred characters; a longer line is
 * nearly always the first one, which repeats the message `errorMessage` already carries.
 */
export const MAX_STACK_LINE_CHARS = 4 * 1024;

/** Options of {@link boundErrorDocument}. */
export interface BoundErrorDocumentOptions {
  /** Applied to the type, the message and every stack line before anything is cut. */
  readonly redact?: (text: string) => string;
  /** The bound of `errorMessage` plus `stackTrace` (default {@link MAX_ERROR_DOCUMENT_CHARS}). */
  readonly maxChars?: number;
}

/**
 * The error document as it is posted: exactly the three canonical keys with the right types (a
 * hand-made document may have others), each text redacted first, then bounded: `errorType` to
 * {@link MAX_ERROR_TYPE_CHARS}, each stack line to {@link MAX_STACK_LINE_CHARS}, at most
 * {@link MAX_STACK_LINES} lines, and `errorMessage` plus `stackTrace` to
 * {@link MAX_ERROR_DOCUMENT_CHARS} characters (the message keeps at least half when both are long;
 * the first stack lines are kept). Every cut is marked where it was made with what was dropped:
 * `… [truncated 2874112 characters]` at the end of a text, a last stack line
 * `… [truncated 37 stack lines]`.
 *
 * Redacting before cutting matters: a secret that straddles the cut would otherwise lose its end,
 * no longer match, and leave its beginning in the document.
 *
 * @example
 * ```ts
 * const posted = boundErrorDocument(toErrorDocument(error), { redact: (text) => environment.redact(text) });
 * JSON.stringify(posted).length; // at most about 133 000 for an ASCII message, however long the original
 * ```
 */
export function boundErrorDocument(
  document: ErrorDocument,
  options: BoundErrorDocumentOptions = {},
): ErrorDocument {
  const redact = options.redact ?? unchanged;
  const maxChars = options.maxChars ?? MAX_ERROR_DOCUMENT_CHARS;
  const { errorType, errorMessage, stackTrace } = readDocument(document);
  // Whole lines are dropped before redaction: a secret never spans two lines, so this reveals nothing.
  const lines = stackTrace
    .slice(0, MAX_STACK_LINES)
    .map((line) => truncateText(redact(line), MAX_STACK_LINE_CHARS));
  let droppedLines = Math.max(0, stackTrace.length - MAX_STACK_LINES);

  const message = redact(errorMessage);
  const stackChars = lines.reduce((sum, line) => sum + line.length, 0);
  const messageLimit =
    message.length + stackChars <= maxChars
      ? message.length
      : Math.min(message.length, Math.max(Math.floor(maxChars / 2), maxChars - stackChars));
  const boundedMessage = truncateText(message, messageLimit);

  const stackLimit = maxChars - boundedMessage.length;
  const kept: string[] = [];
  let used = 0;
  let remaining = stackChars;
  for (const [index, line] of lines.entries()) {
    // When the rest does not fit whole, leave room for the marker line that says what was dropped.
    const fitsWhole = droppedLines === 0 && used + remaining <= stackLimit;
    if (!fitsWhole && used + line.length + STACK_MARKER_RESERVE > stackLimit) {
      droppedLines += lines.length - index;
      break;
    }
    kept.push(line);
    used += line.length;
    remaining -= line.length;
  }
  if (droppedLines > 0) kept.push(`… [truncated ${droppedLines} stack lines]`);

  return {
    errorType: truncateText(redact(errorType), MAX_ERROR_TYPE_CHARS),
    errorMessage: boundedMessage,
    stackTrace: kept,
  };
}

const STACK_MARKER_RESERVE = 40;

/**
 * `text` cut to at most `maxChars` characters including a marker that says how many were dropped
 * (`… [truncated N characters]`); never splits a surrogate pair.
 */
function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let keep = Math.max(0, maxChars - markerFor(text.length).length);
  // A high surrogate without its low half is not valid UTF-16.
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${markerFor(text.length - keep)}`;
}

function markerFor(dropped: number): string {
  return `… [truncated ${dropped} characters]`;
}

function readDocument(document: ErrorDocument): ErrorDocument {
  try {
    const stack: unknown = document.stackTrace;
    return {
      errorType: typeof document.errorType === 'string' ? document.errorType : 'Runtime.UnknownError',
      errorMessage: typeof document.errorMessage === 'string' ? document.errorMessage : '',
      stackTrace: Array.isArray(stack) ? stack.map(safeLine) : [],
    };
  } catch {
    return { errorType: 'Runtime.UnknownError', errorMessage: 'unreadable error document', stackTrace: [] };
  }
}

function safeLine(line: unknown): string {
  try {
    return String(line);
  } catch {
    return '[unreadable stack line]';
  }
}

function unchanged(text: string): string {
  return text;
}
