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
  /**
   * A logger that adds `bindings` to every line. It has no `settle()` of its own: deferred work is
   * the root logger's (and a child of a pino logger could not type one, since pino types any extra
   * member of a child as a log method).
   */
  child(bindings: Record<string, unknown>): Omit<Logger, 'settle'>;
  /** Writes out anything buffered; synchronous loggers may do nothing. */
  flush?(): void;
  /**
   * Optional, for loggers that defer work (such as loading their backend) until the runtime's first
   * `/next` is on the wire: does that work now. The runtime calls it once, right after its first
   * `/next` is sent, and never waits for it. A logger must still write every line before the log
   * call returns, deferred work or not, so that no line is lost when the process ends at once.
   * Calling it again returns the same work; a logger without deferred work leaves it out.
   *
   * @example
   * ```ts
   * logger.info('initialising'); // written now, by the logger's early formatter
   * await logger.settle?.(); // the backend (pino) is loaded; later lines go through it
   * ```
   */
  settle?(): Promise<void>;
}
