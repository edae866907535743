import { LambdaRuntimeError } from '@lambda-runtime/api';

/**
 * The `reason` of `context.signal` once the invocation's deadline has passed.
 *
 * Its `name` is `TimeoutError`, as the reason of `AbortSignal.timeout()`, so code that tells a
 * timeout from other aborts by `error.name === 'TimeoutError'` works unchanged; its `errorType` is
 * `Runtime.DeadlineExceeded`, which is what `/error` reports when a handler rethrows it.
 *
 * @example
 * ```ts
 * try {
 *   await fetch(url, { signal: context.signal });
 * } catch (error) {
 *   if (error instanceof DeadlineExceededError) return { partial: true, requestId: error.requestId };
 *   throw error;
 * }
 * ```
 */
export class DeadlineExceededError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.DeadlineExceeded';
  readonly errorType = DeadlineExceededError.errorType;
  /** The request id of the invocation whose deadline passed. */
  readonly requestId: string;
  /** The deadline, epoch milliseconds. */
  readonly deadlineMs: number;

  constructor(requestId: string, deadlineMs: number) {
    super(`Invocation ${requestId} passed its deadline (${formatDeadline(deadlineMs)})`);
    // The name AbortSignal.timeout() gives its reason: see the class comment.
    this.name = 'TimeoutError';
    this.requestId = requestId;
    this.deadlineMs = deadlineMs;
  }
}

function formatDeadline(deadlineMs: number): string {
  const date = new Date(deadlineMs);
  return Number.isNaN(date.getTime()) ? `${deadlineMs} ms` : date.toISOString();
}
