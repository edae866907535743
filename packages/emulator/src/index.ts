export { EmulatorClosedError } from './emulator-closed-error.js';
export { DEFAULT_MAX_QUEUED_INVOCATIONS, type EmulatorOptions } from './emulator-options.js';
export {
  type ExtensionEvent,
  type ExtensionEventType,
  MAX_EXTENSIONS,
  type RegisteredExtension,
} from './extension-registry.js';
export type { FailableEndpoint } from './fault-injector.js';
export type { InitErrorReport } from './invocation-dispatcher.js';
export { FRONT_DOOR_PATH, MAX_INVOKE_REQUEST_BYTES } from './invoke-front-door.js';
export type { InvokeOptions } from './invoke-options.js';
export type { InvokeResult, InvokeVia } from './invoke-result.js';
export { InvokeTimeoutError } from './invoke-timeout-error.js';
export type { RecordedRequest, RuntimeEndpoint } from './request-log.js';
export { RuntimeApiEmulator } from './runtime-api-emulator.js';
export { FAKE_CREDENTIALS } from './runtime-environment.js';
export type { ShutdownOptions, ShutdownResult } from './runtime-supervisor.js';
export { serializePerConnection } from './serialize-per-connection.js';
export { type RuntimeExit, SpawnedRuntime, type SpawnRuntimeOptions } from './spawned-runtime.js';
export { TooManyRequestsError } from './too-many-requests-error.js';
