import type { Logger } from '@lambda-runtime/api';
import type { TooManyRequestsError } from './too-many-requests-error.js';

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
   * Runs the function as a Lambda Managed Instances environment with this many invocations at
   * once (docs/runtime-api.md §6.5), as the LMI emulator does when `AWS_LAMBDA_MAX_CONCURRENCY` is
   * set: the runtime gets `AWS_LAMBDA_MAX_CONCURRENCY=N`, `AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances`
   * and `AWS_LAMBDA_LOG_FORMAT=JSON`; up to N invocations are in flight, each answered on its own
   * id; at its deadline an invocation times out for the caller but the runtime is not stopped.
   * An integer ≥ 1 (1 gives a Managed Instances environment with one slot). Default: unset, the
   * classic single-concurrency environment.
   */
  readonly maxConcurrency?: number;
  /**
   * Invocations that may wait while every slot is busy (or before the runtime polls); one more
   * is refused with {@link TooManyRequestsError} (429 `TooManyRequestsException` at the front
   * door). 0 refuses whenever no `/next` is waiting; `Infinity` never refuses. Default 100.
   */
  readonly maxQueuedInvocations?: number;
}

/**
 * Default of {@link EmulatorOptions.maxQueuedInvocations}: more than a browser (6 connections per
 * host) or a load tool at its usual settings (10 to 50 connections) sends at once, so a local burst
 * queues instead of failing; few enough that a runaway client gets a prompt 429 instead of a
 * backlog whose callers would all time out.
 */
export const DEFAULT_MAX_QUEUED_INVOCATIONS = 100;

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
  readonly maxConcurrency: number | undefined;
  readonly maxQueuedInvocations: number;
}

/** Applies the defaults of {@link EmulatorOptions}. */
export function resolveEmulatorOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    functionName: options.functionName ?? 'test_function',
    functionVersion: options.functionVersion ?? '$LATEST',
    memorySizeMb: options.memorySizeMb ?? 3008,
    timeoutSeconds: options.timeoutSeconds ?? 300,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '012345678912',
    logger: options.logger ?? silentLogger,
    maxConcurrency: checkCount('maxConcurrency', options.maxConcurrency, 1),
    maxQueuedInvocations:
      checkCount('maxQueuedInvocations', options.maxQueuedInvocations, 0) ?? DEFAULT_MAX_QUEUED_INVOCATIONS,
  };
}

/** `value` when it is an integer ≥ `min` (or, for a bound of 0, `Infinity`); throws a RangeError otherwise. */
function checkCount(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const unbounded = min === 0 && value === Number.POSITIVE_INFINITY;
  if (!unbounded && !(Number.isSafeInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
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
