export { decodeHeaderValue, encodeHeaderValueComponent, headerValueBytes } from './decode-header-value.js';
export type {
  Credentials,
  EnvironmentReader,
  InitializationType,
  LambdaEnvironment,
  LogFormat,
  LogLevel,
  TokenEndpoint,
} from './environment.js';
export {
  type BoundErrorDocumentOptions,
  boundErrorDocument,
  type ErrorDocument,
  MAX_ERROR_DOCUMENT_CHARS,
  MAX_ERROR_TYPE_CHARS,
  MAX_STACK_LINE_CHARS,
  MAX_STACK_LINES,
  toErrorDocument,
} from './error-document.js';
export {
  EnvironmentError,
  HandlerNeverSettledError,
  HandlerNotFoundError,
  ImportModuleError,
  InvalidEventError,
  LambdaRuntimeError,
  MalformedEventError,
  MalformedHandlerNameError,
  MalformedInvocationError,
  type PartialResponse,
  ProtocolError,
  ResponseSizeTooLargeError,
  RuntimeApiError,
  SerializationError,
  TransportError,
  UnhandledPromiseRejectionError,
  UserCodeSyntaxError,
} from './errors.js';
export type { Callback, Handler, InitializeOptions, Initializer, RuntimeLoop } from './handler.js';
export {
  type ClientContext,
  type Clock,
  type CognitoIdentity,
  type ContextBuilder,
  type EncodedPayload,
  type Invocation,
  type InvocationContext,
  type PayloadCodec,
  RELEASE_CONTEXT,
  systemClock,
} from './invocation.js';
export { currentInvocation, runInInvocation } from './invocation-scope.js';
export type { LogFn, Logger } from './logger.js';
export {
  DEFAULT_EVENT_CONTENT_TYPE,
  MAX_RESPONSE_BYTES,
  RUNTIME_API_PREFIX,
  RuntimeApiPath,
  RuntimeHeader,
} from './protocol.js';
export { ResponseHeaderCollector } from './response-header-collector.js';
export {
  DEFAULT_STREAM_CONTENT_TYPE,
  HTTP_INTEGRATION_CONTENT_TYPE,
  HTTP_PRELUDE_DELIMITER_BYTES,
  type HttpResponseMetadata,
  isStreamingHandler,
  MAX_STREAMED_RESPONSE_BYTES,
  type ResponseStream,
  STREAM_RESPONSE,
  STREAMING_HANDLER,
  STREAMING_HIGH_WATER_MARK,
  type StreamingBody,
  type StreamingHandler,
  type StreamingHandlerFunction,
  type StreamingHandlerMarks,
  type StreamingHandlerOptions,
  type StreamingInitializer,
  streamingHighWaterMark,
} from './streaming.js';
export {
  InvalidStreamingOperationError,
  MalformedStreamingHandlerError,
  ResponseStreamNotFinishedError,
  StreamedResponseSizeTooLargeError,
} from './streaming-errors.js';
export {
  CLOCK,
  CONTEXT_BUILDER,
  ENVIRONMENT,
  ENVIRONMENT_READER,
  LOGGER,
  PAYLOAD_CODEC,
  RUNTIME_LOOP,
  TRANSPORT_FACTORY,
} from './tokens.js';
export type {
  StreamingTransportRequest,
  Transport,
  TransportFactory,
  TransportRequest,
  TransportRequestStream,
  TransportResponse,
} from './transport.js';
