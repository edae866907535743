import { RuntimeHeader } from '@lambda-runtime/api';
import { type InvokeOutcome, parseErrorDocument } from './invoke-result.js';
import type { ReadRequestBody } from './request-body.js';
import type { RecordedRequest } from './request-log.js';
import type { SpawnedRuntime } from './spawned-runtime.js';

/** The outcome of an accepted `/response` or `/error` (a streamed failure is read from its trailers). */
export function answerOutcome(
  kind: 'response' | 'error',
  read: ReadRequestBody,
  record: RecordedRequest,
): InvokeOutcome {
  const contentType = record.headers[RuntimeHeader.contentType];
  if (kind === 'error') {
    return {
      status: 'error',
      via: 'error',
      payload: read.body,
      contentType,
      errorTypeHeader: record.headers[RuntimeHeader.functionErrorType],
      request: record,
    };
  }
  // A streamed response that failed after its first byte says so in trailers (docs/runtime-api.md §7).
  const trailerType = read.trailers[RuntimeHeader.functionErrorType];
  if (trailerType !== undefined && trailerType !== '') {
    const trailerBody = read.trailers[RuntimeHeader.functionErrorBody];
    return {
      status: 'error',
      via: 'response',
      payload: read.body,
      contentType,
      errorTypeHeader: trailerType,
      error:
        trailerBody === undefined
          ? { errorType: trailerType, errorMessage: '', stackTrace: [] }
          : parseErrorDocument(Buffer.from(trailerBody, 'base64'), trailerType),
      request: record,
    };
  }
  return { status: 'success', via: 'response', payload: read.body, contentType, request: record };
}

/** An invocation failure the platform itself produces (413, truncated body, bad response mode). */
export function platformError(
  via: 'response' | 'error',
  errorType: string,
  errorMessage: string,
  record: RecordedRequest,
): InvokeOutcome {
  return {
    status: 'error',
    via,
    payload: Buffer.from(JSON.stringify({ errorType, errorMessage })),
    contentType: 'application/json',
    errorTypeHeader: errorType,
    request: record,
  };
}

/**
 * How Lambda's Go-based init process words a signal in `Runtime exited with error: signal: …`
 * (Go's `syscall.Signal.String()`), e.g. `signal: killed` for SIGKILL.
 */
const SIGNAL_WORDING: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGHUP: 'hangup',
  SIGILL: 'illegal instruction',
  SIGINT: 'interrupt',
  SIGKILL: 'killed',
  SIGPIPE: 'broken pipe',
  SIGQUIT: 'quit',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGTRAP: 'trace/breakpoint trap',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
};

function signalWording(signal: NodeJS.Signals | null | undefined): string {
  if (signal === null || signal === undefined) return 'unknown';
  return SIGNAL_WORDING[signal] ?? signal;
}

/** What the caller sees when the runtime process is gone (the RIE's wording). */
export function exitOutcome(requestId: string, runtime: SpawnedRuntime): InvokeOutcome {
  const spawnError = runtime.spawnError;
  const exit = runtime.exit;
  const [errorType, reason] =
    spawnError !== undefined
      ? ['Runtime.InvalidEntrypoint', `could not start the runtime: ${spawnError.message}`]
      : [
          'Runtime.ExitError',
          `Runtime exited with error: ${exit?.code !== null && exit?.code !== undefined ? `exit status ${exit.code}` : `signal: ${signalWording(exit?.signal)}`}`,
        ];
  return {
    status: 'error',
    via: 'exit',
    payload: Buffer.from(
      JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${reason}` }),
    ),
    contentType: 'application/json',
    errorTypeHeader: errorType,
  };
}

/**
 * What the caller sees when the function timeout ends an invocation (supervised mode): the Invoke
 * API's document, with the configured timeout in seconds to two decimals.
 */
export function timeoutOutcome(requestId: string, timeoutSeconds: number): InvokeOutcome {
  const errorType = 'Sandbox.Timedout';
  return {
    status: 'error',
    via: 'timeout',
    payload: Buffer.from(
      JSON.stringify({
        errorType,
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      }),
    ),
    contentType: 'application/json',
    errorTypeHeader: errorType,
  };
}
