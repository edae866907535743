import { invocationFields } from './invocation-fields.js';
import { PathCensor } from './path-censor.js';

/** A log method name, lowest level first. */
export type LevelMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const LEVEL_PREFIX: Readonly<Record<LevelMethod, string>> = {
  trace: '{"level":"TRACE"',
  debug: '{"level":"DEBUG"',
  info: '{"level":"INFO"',
  warn: '{"level":"WARN"',
  error: '{"level":"ERROR"',
  fatal: '{"level":"FATAL"',
};

// pino's defaults for objects it can only serialize the safe way (circular ones, BigInt).
const MAX_DEPTH = 5;
const MAX_BREADTH = 100;

/** Options of {@link JsonLineFormatter}. */
export interface JsonLineFormatterOptions {
  /** Fields on every line, after the timestamp. */
  readonly bindings?: Record<string, unknown> | undefined;
  /** pino `redact` paths; values there become `"[Redacted]"`. */
  readonly redactPaths?: readonly string[] | undefined;
}

/**
 * Formats a log call into exactly the JSON line the runtime's pino logger writes for it, without
 * loading pino: the same argument handling (fields then a printf-style message, or an error first),
 * key order, `requestId`/`tenantId` of the current invocation, error serialization
 * (`{type, message, stack}` with causes) and censored paths. The logger writes with it until pino
 * has loaded, so an early line is on stdout the moment it is logged and looks like a later one.
 *
 * Circular objects and BigInt values are serialized like pino's fallback (keys sorted, `"[Circular]"`);
 * with censored paths, a circular object may be cut at a different depth than pino cuts it.
 *
 * @example
 * ```ts
 * const formatter = new JsonLineFormatter();
 * formatter.format('info', [{ orderId: 42 }, 'stored %s', 'ok'], Date.now());
 * // '{"level":"INFO","timestamp":"2026-01-05T10:00:00.000Z","orderId":42,"message":"stored ok"}\n'
 * ```
 */
export class JsonLineFormatter {
  readonly #censor: PathCensor | undefined;
  #bindings: string;

  constructor(options: JsonLineFormatterOptions = {}, parent?: JsonLineFormatter) {
    if (parent === undefined) {
      const paths = options.redactPaths;
      this.#censor = paths === undefined || paths.length === 0 ? undefined : new PathCensor(paths);
      this.#bindings = '';
    } else {
      this.#censor = parent.#censor;
      this.#bindings = parent.#bindings;
    }
    if (options.bindings !== undefined) this.#bindings += this.#fields(options.bindings, true);
  }

  /** A formatter whose lines also carry `bindings` (as pino's `child`). */
  child(bindings: Record<string, unknown>): JsonLineFormatter {
    return new JsonLineFormatter({ bindings }, this);
  }

  /** The line (with its `\n`) that pino writes for `logger[method](...args)` at `time` (epoch ms). */
  format(method: LevelMethod, args: readonly unknown[], time: number): string {
    const [first, ...rest] = args;
    let fields: unknown = null;
    let message: unknown;
    if (typeof first === 'object') {
      fields = first;
      message = first === null && rest.length === 0 ? null : this.#interpolate(rest.shift(), rest);
    } else {
      message = this.#interpolate(first === undefined ? rest.shift() : first, rest);
    }

    let merged: Record<string, unknown>;
    if (fields === null || fields === undefined) {
      merged = {};
    } else if (fields instanceof Error) {
      merged = { err: fields };
      if (message === undefined) message = fields.message;
    } else {
      merged = fields as Record<string, unknown>;
      const err = merged.err as { message?: unknown } | undefined;
      if (message === undefined && merged.message === undefined && err) message = err.message;
    }
    merged = Object.assign(invocationFields(), merged);

    let line = `${LEVEL_PREFIX[method]},"timestamp":"${new Date(time).toISOString()}"${this.#bindings}${this.#fields(merged, false)}`;
    if (message !== undefined && typeof message !== 'function') {
      const value = this.#value(message);
      if (value !== undefined) line += `,"message":${value}`;
    }
    return `${line}}\n`;
  }

  // Like pino: own enumerable fields that are not undefined, errors serialized, then censored.
  #fields(fields: Record<string, unknown>, bindings: boolean): string {
    let serialized: Record<string, unknown> = {};
    for (const key in fields) {
      if (!Object.hasOwn(fields, key)) continue;
      if (bindings && RESERVED_BINDINGS.has(key)) continue;
      let value = fields[key];
      if (value === undefined) continue;
      if (key === 'err' || key === 'error') value = serializeError(value);
      serialized[key] = value;
    }
    if (this.#censor !== undefined) serialized = this.#censor.apply(serialized) as Record<string, unknown>;
    let text = '';
    for (const key of Object.keys(serialized)) {
      const value = this.#value(serialized[key]);
      if (value !== undefined) text += `,${JSON.stringify(key)}:${value}`;
    }
    return text;
  }

  #value(value: unknown): string | undefined {
    switch (typeof value) {
      case 'undefined':
      case 'function':
        return undefined;
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null';
      case 'boolean':
        return String(value);
      case 'string':
        return JSON.stringify(value);
      default:
        return stringify(value);
    }
  }

  // pino's printf (%s %d %i %f %j %o %O %%, objects as JSON), quirks included: any other %x uses up
  // an argument, extra arguments are dropped, and an object message with arguments is joined oddly.
  #interpolate(template: unknown, args: readonly unknown[]): unknown {
    if (typeof template === 'object' && template !== null) {
      if (args.length === 0) return template;
      return [template, ...args]
        .map((_, index) => this.#embedded(index === 0 ? template : args[index]) ?? '')
        .join(' ');
    }
    if (typeof template !== 'string' || args.length === 0) return template;
    let out = '';
    let last = -1;
    let next = 0;
    for (let at = 0; at < template.length; at += 1) {
      if (template.charCodeAt(at) !== PERCENT || at + 1 >= template.length) continue;
      last = last > -1 ? last : 0;
      const arg = args[next];
      const present = next < args.length;
      let replacement: string | undefined;
      switch (template[at + 1]) {
        case 'd':
        case 'f':
          if (present && arg != null) replacement = String(Number(arg));
          break;
        case 'i':
          if (present && arg != null) replacement = String(Math.floor(Number(arg)));
          break;
        case 'O':
        case 'o':
        case 'j':
          if (present && arg !== undefined) {
            replacement =
              typeof arg === 'string'
                ? `'${arg}'`
                : typeof arg === 'function'
                  ? arg.name || '<anonymous>'
                  : String(this.#embedded(arg));
          }
          break;
        case 's':
          if (present) replacement = String(arg);
          break;
        case '%':
          replacement = '%';
          next -= 1;
          break;
      }
      if (replacement !== undefined) {
        out += template.slice(last, at) + replacement;
        last = at + 2;
        at += 1;
      }
      next += 1;
    }
    if (last === -1) return template;
    return out + template.slice(last);
  }

  #embedded(value: unknown): string | undefined {
    return stringify(this.#censor === undefined ? value : this.#censor.apply(value));
  }
}

const PERCENT = 37;

// Keys pino ignores in bindings.
const RESERVED_BINDINGS = new Set(['level', 'serializers', 'formatters', 'customLevels']);

function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    try {
      return safeStringify(value, [], 0);
    } catch {
      return '"[unable to serialize, circular reference is too complex to analyze]"';
    }
  }
}

// The fallback for values JSON.stringify refuses: circular references become "[Circular]", BigInt
// values their digits, and like pino it stops at depth 5 and 100 entries per object.
function safeStringify(value: unknown, ancestors: object[], depth: number): string | undefined {
  let current = value;
  if (
    current !== null &&
    typeof current === 'object' &&
    typeof (current as { toJSON?: unknown }).toJSON === 'function'
  ) {
    current = (current as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof current) {
    case 'bigint':
      return current.toString();
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(current);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (current === null) return 'null';
  if (ancestors.includes(current)) return '"[Circular]"';
  if (depth >= MAX_DEPTH) return Array.isArray(current) ? '"[Array]"' : '"[Object]"';
  ancestors.push(current);
  let text: string;
  if (Array.isArray(current)) {
    const items = current
      .slice(0, MAX_BREADTH)
      .map((item) => safeStringify(item, ancestors, depth + 1) ?? 'null');
    if (current.length > MAX_BREADTH) items.push(`"... ${current.length - MAX_BREADTH} more items"`);
    text = `[${items.join(',')}]`;
  } else {
    const entries: string[] = [];
    // pino's fallback sorts the keys.
    const keys = Object.keys(current).sort();
    for (const key of keys.slice(0, MAX_BREADTH)) {
      const item = safeStringify((current as Record<string, unknown>)[key], ancestors, depth + 1);
      if (item !== undefined) entries.push(`${JSON.stringify(key)}:${item}`);
    }
    if (keys.length > MAX_BREADTH) entries.push(`"...":"${keys.length - MAX_BREADTH} items not stringified"`);
    text = `{${entries.join(',')}}`;
  }
  ancestors.pop();
  return text;
}

interface ErrorLike {
  readonly message: string;
  readonly stack?: unknown;
  readonly name?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return (
    value !== null &&
    value !== undefined &&
    typeof value === 'object' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

// pino's `err` serializer: type, message and stack including every cause, aggregated errors, then
// the error's other enumerable fields (nested errors serialized too).
function serializeError(value: unknown, seen: Set<object> = new Set()): unknown {
  if (!isErrorLike(value)) return value;
  seen.add(value);
  const maker = (value as { constructor?: unknown }).constructor;
  const serialized: Record<string, unknown> = {
    type: typeof maker === 'function' ? maker.name : value.name,
    message: withCauses(value, 'message'),
    stack: withCauses(value, 'stack'),
  };
  if (Array.isArray(value.errors)) {
    serialized.aggregateErrors = value.errors.map((error) => serializeError(error, seen));
  }
  for (const key in value) {
    if (serialized[key] !== undefined) continue;
    const field = (value as unknown as Record<string, unknown>)[key];
    if (isErrorLike(field)) {
      if (key !== 'cause' && !seen.has(field)) serialized[key] = serializeError(field, seen);
    } else {
      serialized[key] = field;
    }
  }
  seen.delete(value);
  return serialized;
}

function causeOf(error: ErrorLike): ErrorLike | undefined {
  const cause = typeof error.cause === 'function' ? (error.cause as () => unknown)() : error.cause;
  return isErrorLike(cause) ? cause : undefined;
}

// "message: cause message: …" and "stack\ncaused by: cause stack…", as pino-std-serializers writes them.
function withCauses(error: ErrorLike, part: 'message' | 'stack'): string {
  const seen = new Set<ErrorLike>();
  let text = '';
  let current: ErrorLike | undefined = error;
  let skipMessage = false;
  while (current !== undefined) {
    const own =
      part === 'message'
        ? skipMessage
          ? ''
          : current.message || ''
        : typeof current.stack === 'string'
          ? current.stack
          : '';
    if (seen.has(current))
      return text + own + (part === 'message' ? ': ...' : '\ncauses have become circular...');
    const cause = causeOf(current);
    if (cause === undefined) return text + own;
    seen.add(current);
    const functionCause = typeof current.cause === 'function';
    text += own + (part === 'message' ? (functionCause ? '' : ': ') : '\ncaused by: ');
    skipMessage = part === 'message' && functionCause;
    current = cause;
  }
  return text;
}
