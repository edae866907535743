/** A log method: a message with printf-style arguments, or an object of fields then a message. */
export interface LogFn {
  (message: string, ...args: unknown[]): void;
  (fields: object, message?: string, ...args: unknown[]): void;
}

/**
 * The logging contract; a pino logger satisfies it. Runtime code logs only through it.
 *
 * @example
 * ```ts
 * logger.info({ table }, 'opened table');
 * logger.child({ component: 'cache' }).debug('miss');
 * ```
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  /** Writes out anything buffered; synchronous loggers may do nothing. */
  flush?(): void;
}
