/**
 * A `lambda-dev` failure with a stable `code`: `ERR_USAGE` (bad arguments, exit 2),
 * `ERR_ENTRY` (an input that is neither a runtime entry nor a handler name),
 * `ERR_NODE_DOWNLOAD` / `ERR_NODE_INTEGRITY` (fetching a pinned Node.js binary),
 * `ERR_EXTERNAL` (an `--external` package that cannot be found), `ERR_MEASURE`,
 * `ERR_CONNECT` (no emulator listening where `lambda-dev invoke` was pointed).
 *
 * @example
 * ```ts
 * throw new DevToolError('ERR_USAGE', "unknown option '--arh'");
 * ```
 */
export class DevToolError extends Error {
  constructor(
    readonly code: DevToolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevToolError';
  }

  /** The exit code a command returns for it: 2 for bad usage, 1 otherwise. */
  get exitCode(): number {
    return this.code === 'ERR_USAGE' ? 2 : 1;
  }
}

/** The `code`s a {@link DevToolError} can carry. */
export type DevToolErrorCode =
  | 'ERR_USAGE'
  | 'ERR_ENTRY'
  | 'ERR_NODE_DOWNLOAD'
  | 'ERR_NODE_INTEGRITY'
  | 'ERR_EXTERNAL'
  | 'ERR_MEASURE'
  | 'ERR_CONNECT';
