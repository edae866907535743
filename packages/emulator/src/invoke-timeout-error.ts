import { LambdaRuntimeError } from '@lambda-runtime/api';

/**
 * {@link RuntimeApiEmulator.invoke} got no answer within its `timeoutMs`. The emulator stops
 * waiting; a late `/response` or `/error` for the id gets 410 `InvokeTimeout`.
 */
export class InvokeTimeoutError extends LambdaRuntimeError {
  readonly errorType = 'Emulator.InvokeTimeout';
  readonly requestId: string;

  constructor(requestId: string, timeoutMs: number) {
    super(`Invocation ${requestId} got no answer within ${timeoutMs} ms`);
    this.requestId = requestId;
  }
}
