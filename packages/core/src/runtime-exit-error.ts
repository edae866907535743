import { LambdaRuntimeError } from '@lambda-runtime/api';

/**
 * Settles `LambdaRuntime.run()` when an overridden `exit` function returned instead of ending the
 * process (in-process tests); with the default `process.exit` it is never seen.
 */
export class RuntimeExitError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.Exit';
  /** The exit code the runtime asked for. */
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`The runtime exited with code ${exitCode}`);
    this.exitCode = exitCode;
  }
}
