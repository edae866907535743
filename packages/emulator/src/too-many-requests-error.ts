import { LambdaRuntimeError } from '@lambda-runtime/api';

/**
 * {@link RuntimeApiEmulator.invoke} was refused: every slot is busy and `maxQueuedInvocations`
 * invocations already wait. The invoke front door answers it as the Lambda Invoke API answers a
 * throttled call: 429 with `x-amzn-ErrorType: TooManyRequestsException`.
 *
 * @example
 * ```ts
 * const outcome = await emulator.invoke({}).catch((error: unknown) => error);
 * if (outcome instanceof TooManyRequestsError) console.log(outcome.reason); // retry later
 * ```
 */
export class TooManyRequestsError extends LambdaRuntimeError {
  readonly errorType = 'TooManyRequestsException';
  /** The Invoke API's throttle reason: the function's own concurrency is used up. */
  readonly reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';
  readonly requestId: string;

  constructor(requestId: string, maxConcurrency: number, maxQueued: number) {
    super(
      `Invocation ${requestId} throttled: ${maxQueued} invocations already wait for the runtime (concurrency ${maxConcurrency})`,
    );
    this.requestId = requestId;
  }
}
