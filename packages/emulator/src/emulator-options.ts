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
  /**
   * The function's configuration variables (what `Environment.Variables` holds in Lambda), added
   * to every runtime environment on top of the reserved ones; an `undefined` value removes a
   * variable. Default none.
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** `_HANDLER` of every runtime environment. Default unset. */
  readonly handler?: string;
  /**
   * Supervised mode: the emulator starts this runtime itself and keeps the function alive as
   * Lambda does (a new process after an init failure, a crash or a timeout; the runtime's process
   * group SIGKILLed at the deadline; START/END/REPORT lines on {@link output}). See the README's
   * "Supervised runtime".
   */
  readonly runtime?: SupervisedRuntimeOptions;
  /**
   * Supervised mode: how long the Init phase may take before it is abandoned and re-run inside the
   * first invoke (Lambda's on-demand Init limit, a "suppressed init"). Default 10 000; with
   * `maxConcurrency`, max(130 000, the function timeout) as for Managed Instances.
   */
  readonly initTimeoutMs?: number;
  /**
   * Supervised mode: time between SIGTERM and SIGKILL when {@link RuntimeApiEmulator.restartRuntime}
   * stops the runtime. Default 2 000.
   */
  readonly stopGraceMs?: number;
  /**
   * Supervised mode: where the START/END/REPORT lines and the runtime's own stdout/stderr go.
   * Default `process.stdout`.
   */
  readonly output?: NodeJS.WritableStream;
  /**
   * Colour the lines written to {@link output}. Default: on when `output` is a TTY that supports
   * colour, off otherwise; `NO_COLOR` turns it off and `FORCE_COLOR` on.
   */
  readonly colour?: boolean;
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

/** What supervised mode runs as the runtime (its `bootstrap`). */
export interface SupervisedRuntimeOptions {
  /** The executable; a relative path is resolved against the current directory. */
  readonly command: string;
  readonly args?: readonly string[];
  /** Working directory, also `LAMBDA_TASK_ROOT`. Default the command's directory, or the current one. */
  readonly cwd?: string;
  /** Variables on top of the function's environment; an `undefined` value removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
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
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly handler: string | undefined;
  readonly runtime: SupervisedRuntimeOptions | undefined;
  readonly initTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly output: NodeJS.WritableStream;
  readonly colour: boolean | undefined;
  readonly maxConcurrency: number | undefined;
  readonly maxQueuedInvocations: number;
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
    environment: options.environment ?? {},
    handler: options.handler,
    runtime: options.runtime,
    // On demand, Init has 10 s; Managed Instances (like provisioned concurrency) max(130 s, timeout).
    initTimeoutMs:
      options.initTimeoutMs ??
      (options.maxConcurrency === undefined
        ? 10_000
        : Math.max(130_000, (options.timeoutSeconds ?? 300) * 1000)),
    stopGraceMs: options.stopGraceMs ?? 2_000,
    output: options.output ?? process.stdout,
    colour: options.colour,
    maxConcurrency: checkCount('maxConcurrency', options.maxConcurrency, 1),
    maxQueuedInvocations:
      checkCount('maxQueuedInvocations', options.maxQueuedInvocations, 0) ?? DEFAULT_MAX_QUEUED_INVOCATIONS,
    functionUrl:
      options.functionUrl === undefined
        ? undefined
        : { port: options.functionUrl.port ?? 0, host: options.functionUrl.host ?? host },
    maxStreamedResponseBytes: options.maxStreamedResponseBytes ?? MAX_STREAMED_RESPONSE_BYTES,
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
