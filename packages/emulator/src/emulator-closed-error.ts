import { LambdaRuntimeError } from '@lambda-runtime/api';

/** The emulator was closed while an invocation or a `waitForRequest` was still pending. */
export class EmulatorClosedError extends LambdaRuntimeError {
  readonly errorType = 'Emulator.Closed';
}
