import type { Logger } from '@lambda-runtime/api';

/**
 * Settings of a {@link RuntimeApiEmulator}. Every field is optional; the defaults are the values the
 * AWS Runtime Interface Emulator uses, so code tested here sees familiar numbers.
 *
 * @example
 * ```ts
 * const emulator = await RuntimeApiEmulator.start({ functionName: 'orders', timeoutSeconds: 3 });
 * ```
 */
export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** `AWS_LAMBDA_FUNCTION_NAME` and the ARN's function name. Default `test_function`. */
  readonly functionName?: string;
  /** `AWS_LAMBDA_FUNCTION_VERSION`. Default `$LATEST`. */
  readonly functionVersion?: string;
  /** `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`. Default 3008. */
  readonly memorySizeMb?: number;
  /** Function timeout: `Lambda-Runtime-Deadline-Ms` is delivery time plus this. Default 300. */
  readonly timeoutSeconds?: number;
  /** `AWS_REGION`, `AWS_DEFAULT_REGION` and the ARN's region. Default `us-east-1`. */
  readonly region?: string;
  /** The ARN's account id. Default `012345678912`. */
  readonly accountId?: string;
  /** Receives the emulator's own diagnostics (deliveries, protocol violations). Default: silent. */
  readonly logger?: Logger;
  /**
   * Opens a second listener that answers plain HTTP requests as a Lambda function URL would (see
   * {@link RuntimeApiEmulator.functionUrlOrigin}). Default: none.
   */
  readonly functionUrl?: FunctionUrlOptions;
  /**
   * Largest streamed response passed to a streaming caller; past it the stream is cut and the
   * caller sees `Function.ResponseSizeTooLarge`. Default 200 MiB (docs/runtime-api.md §7.5).
   */
  readonly maxStreamedResponseBytes?: number;
}

/** Where the function URL front door listens. */
export interface FunctionUrlOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Interface to listen on. Default: the emulator's `host`. */
  readonly host?: string;
}

/** {@link EmulatorOptions} with every default applied. */
export interface ResolvedEmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly region: string;
  readonly accountId: string;
  readonly logger: Logger;
  readonly functionUrl: { readonly port: number; readonly host: string } | undefined;
  readonly maxStreamedResponseBytes: number;
}

/** Streamed responses may be much larger than buffered ones (docs/runtime-api.md §11). */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

/** Applies the defaults of {@link EmulatorOptions}. */
export function resolveEmulatorOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  const host = options.host ?? '127.0.0.1';
  return {
    host,
    port: options.port ?? 0,
    functionName: options.functionName ?? 'test_function',
    functionVersion: options.functionVersion ?? '$LATEST',
    memorySizeMb: options.memorySizeMb ?? 3008,
    timeoutSeconds: options.timeoutSeconds ?? 300,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '012345678912',
    logger: options.logger ?? silentLogger,
    functionUrl:
      options.functionUrl === undefined
        ? undefined
        : { port: options.functionUrl.port ?? 0, host: options.functionUrl.host ?? host },
    maxStreamedResponseBytes: options.maxStreamedResponseBytes ?? MAX_STREAMED_RESPONSE_BYTES,
  };
}

const ignore = (): void => {};

/** The default logger: the emulator is quiet unless asked to talk. */
const silentLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  fatal: ignore,
  child: () => silentLogger,
};
