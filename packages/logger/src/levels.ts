import type { LogFormat, LogLevel } from '@lambda-runtime/api';

/** pino's level name for each `AWS_LAMBDA_LOG_LEVEL` value; pino already orders trace < ... < fatal. */
export const PINO_LEVELS: Readonly<Record<LogLevel, string>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
};

/** The upper-case label Lambda expects for each pino level name. */
export const LAMBDA_LEVEL_LABELS: Readonly<Record<string, LogLevel>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
};

/** Maps a level case-insensitively; an unknown value falls back to INFO, the platform's default. */
export function toPinoLevel(level: LogLevel | undefined): string {
  if (level === undefined) return 'info';
  return PINO_LEVELS[level.toUpperCase() as LogLevel] ?? 'info';
}

/** `AWS_LAMBDA_LOG_FORMAT` is compared case-insensitively; anything but JSON means Text. */
export function isJsonFormat(format: LogFormat | undefined): boolean {
  return format !== undefined && format.toUpperCase() === 'JSON';
}
