import { LambdaRuntimeError } from './errors.js';

/**
 * A response stream was used in a way the protocol cannot carry, e.g. its content type set after
 * the first write (the request head has left by then). Thrown at the call, never sent.
 */
export class InvalidStreamingOperationError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.InvalidStreamingOperation';
  readonly errorType = InvalidStreamingOperationError.errorType;
}

/** A handler is marked for streaming with a mode other than `'response'` (the only one there is). */
export class MalformedStreamingHandlerError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.MalformedStreamingHandler';
  readonly errorType = MalformedStreamingHandlerError.errorType;
}

/**
 * A streamed response grew past the runtime's limit (200 MB by default): the stream is cut and
 * ends with this error in its trailers. The type is the one the platform reports for the same
 * overrun, so callers see the same thing locally and on AWS.
 */
export class StreamedResponseSizeTooLargeError extends LambdaRuntimeError {
  static readonly errorType = 'Function.ResponseSizeTooLarge';
  readonly errorType = StreamedResponseSizeTooLargeError.errorType;
}

/**
 * A streaming handler finished without ending its response stream, and nothing is left that could
 * end it (the event loop ran empty), or the stream was destroyed before it ended.
 */
export class ResponseStreamNotFinishedError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.ResponseStreamNotFinished';
  readonly errorType = ResponseStreamNotFinishedError.errorType;
}
