import type { LogFormat, LogLevel } from '@lambda-runtime/api';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { invocationFields } from './invocation-fields.js';
import { LAMBDA_LEVEL_LABELS, toPinoLevel } from './levels.js';
import { lineDestination } from './line-destination.js';
import type { LogDestination } from './text-destination.js';

/** Options of {@link createLogger}; every field is optional. */
export interface LoggerOptions {
  /** `AWS_LAMBDA_LOG_FORMAT`: `'Text'` (default) or `'JSON'`, case-insensitive. */
  format?: LogFormat;
  /** `AWS_LAMBDA_LOG_LEVEL`: lines below it are not written. Default `'INFO'`. */
  level?: LogLevel;
  /** Where lines go. Default: synchronous writes to fd 1 (stdout). */
  destination?: { write(chunk: string): unknown };
  /** Fields written on every line. */
  bindings?: Record<string, unknown>;
  /**
   * Applied to every finished line, e.g. `LambdaEnvironment.redact`, which replaces the values of
   * the environment's secrets wherever they appear (nested objects, messages, `console.*`).
   */
  redact?: (line: string) => string;
  /**
   * pino `redact` paths censored by field name, e.g. `REDACT_PATHS`. Off by default: it costs
   * a pass over every line's fields, and `redact` already removes the environment's secrets.
   */
  redactPaths?: readonly string[];
  /** The time written on each line, in epoch milliseconds (default `Date.now`). */
  clock?: () => number;
}

/**
 * Creates the runtime's pino logger: synchronous writes (no worker-thread transport), the Lambda
 * Text or JSON layout, the `AWS_LAMBDA_LOG_LEVEL` threshold, secrets scrubbed by `redact` (and
 * optionally by field name, `REDACT_PATHS`), and on every line logged during an invocation that invocation's
 * `requestId` (and `tenantId`), read from `currentInvocation()` so it follows `await`s and never
 * leaks between concurrent invocations.
 *
 * Errors logged as the first argument or under the `err` or `error` field serialize as
 * `{ type, message, stack }`.
 *
 * @example
 * ```ts
 * const logger = createLogger({ format: environment.logFormat, level: environment.logLevel });
 * logger.info({ orderId }, 'order stored');
 * // JSON: {"level":"INFO","timestamp":"2026-01-05T10:00:00.000Z","requestId":"8f5…","orderId":42,"message":"order stored"}
 * // Text: 2026-01-05T10:00:00.000Z	8f5…	INFO	order stored {"orderId":42}
 * ```
 */
export function createLogger(options: LoggerOptions = {}): PinoLogger {
  const target: LogDestination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const stream = lineDestination(options.format, options.redact, target) as DestinationStream;
  return pino(
    {
      level: toPinoLevel(options.level),
      messageKey: 'message',
      // No pid/hostname: Lambda knows them already and every byte of log costs.
      base: options.bindings ?? null,
      timestamp: options.clock === undefined ? isoTimestamp : isoTimestampOf(options.clock),
      // pino computes these once per level, not per line.
      formatters: { level: (label) => ({ level: LAMBDA_LEVEL_LABELS[label] ?? label.toUpperCase() }) },
      mixin: invocationFields,
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      ...(options.redactPaths === undefined || options.redactPaths.length === 0
        ? {}
        : { redact: { paths: [...options.redactPaths] } }),
    },
    stream,
  );
}

function isoTimestamp(): string {
  return `,"timestamp":"${new Date().toISOString()}"`;
}

function isoTimestampOf(clock: () => number): () => string {
  return () => `,"timestamp":"${new Date(clock()).toISOString()}"`;
}
