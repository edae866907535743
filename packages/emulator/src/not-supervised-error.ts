import { LambdaRuntimeError } from '@lambda-runtime/api';

/** A supervised-mode call ({@link RuntimeApiEmulator.restartRuntime}) on an emulator started without `runtime`. */
export class NotSupervisedError extends LambdaRuntimeError {
  readonly errorType = 'Emulator.NotSupervised';
}
