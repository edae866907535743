export { EmulatorClosedError } from './emulator-closed-error.js';
export {
  DEFAULT_MAX_QUEUED_INVOCATIONS,
  type EmulatorOptions,
  type FunctionUrlOptions,
  MAX_STREAMED_RESPONSE_BYTES,
  type SupervisedRuntimeOptions,
} from './emulator-options.js';
export {
  type ExtensionEvent,
  type ExtensionEventType,
  MAX_EXTENSIONS,
  type RegisteredExtension,
} from './extension-registry.js';
export type { FailableEndpoint } from './fault-injector.js';
export {
  FUNCTION_CLI_HELP,
  FUNCTION_CLI_OPTIONS,
  type FunctionCliValues,
  type FunctionOptions,
  type FunctionOptionsContext,
  FunctionOptionsError,
  resolveFunctionOptions,
} from './function-options.js';
export { type FunctionUrlEvent, functionUrlEvent } from './function-url-event.js';
export { type FunctionUrlHttpResponse, functionUrlResponse } from './function-url-response.js';
export {
  HTTP_INTEGRATION_CONTENT_TYPE,
  HttpIntegrationPreludeParser,
  type HttpResponsePrelude,
  type PreludeParse,
} from './http-integration-prelude.js';
export type { InitErrorReport } from './invocation-dispatcher.js';
export { FRONT_DOOR_PATH, MAX_INVOKE_REQUEST_BYTES } from './invoke-front-door.js';
export type { InvokeOptions } from './invoke-options.js';
export type { InvokeResult, InvokeVia } from './invoke-result.js';
export { type CollectedStream, InvokeStream, type StreamedChunk } from './invoke-stream.js';
export { InvokeTimeoutError } from './invoke-timeout-error.js';
export { NotSupervisedError } from './not-supervised-error.js';
export type { RecordedRequest, RuntimeEndpoint } from './request-log.js';
export { EVENT_STREAM_CONTENT_TYPE, RESPONSE_STREAM_PATH } from './response-stream-front-door.js';
export { RuntimeApiEmulator } from './runtime-api-emulator.js';
export { CREDENTIAL_VARIABLES, FAKE_CREDENTIALS, RESERVED_VARIABLES } from './runtime-environment.js';
export type { ShutdownOptions, ShutdownResult } from './runtime-supervisor.js';
export { serializePerConnection } from './serialize-per-connection.js';
export { type RuntimeExit, SpawnedRuntime, type SpawnRuntimeOptions } from './spawned-runtime.js';
export type { StreamedResponseTarget } from './streamed-response-target.js';
export { TooManyRequestsError } from './too-many-requests-error.js';
