import type { Writable } from 'node:stream';
import type { InitializeOptions } from './handler.js';
import type { InvocationContext } from './invocation.js';
import { MalformedStreamingHandlerError } from './streaming-errors.js';

/**
 * Response streaming contracts (docs/runtime-api.md section 7). The marks are the managed Node.js
 * runtime's own (`Symbol.for`, so every copy of every package agrees): a handler wrapped by the
 * managed runtime's `awslambda.streamifyResponse` and one wrapped by ours are recognised alike.
 */

/** Set on a handler function to `'response'` ({@link STREAM_RESPONSE}) to mark it as streaming. */
export const STREAMING_HANDLER: unique symbol = Symbol.for('aws.lambda.runtime.handler.streaming');

/** Set on a streaming handler to the response stream's `highWaterMark` in bytes. */
export const STREAMING_HIGH_WATER_MARK: unique symbol = Symbol.for(
  'aws.lambda.runtime.handler.streaming.highWaterMark',
);

/** The one streaming mode there is: the handler streams its response. */
export const STREAM_RESPONSE = 'response';

/** The request `Content-Type` of a response that starts with an HTTP prelude (section 7.3). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The `Content-Type` of a streamed response that does not set one. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** Bytes of 0x00 between the HTTP prelude and the payload. */
export const HTTP_PRELUDE_DELIMITER_BYTES = 8;

/**
 * The largest streamed response the platform delivers (200 MB, since mid-2025; older documents say
 * 20 MiB). The runtime cuts a stream that grows past its limit, which defaults to this.
 */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

/**
 * What a streaming handler writes to: a Node `Writable` (so `pipeline(source, responseStream)`
 * works and honours backpressure) whose bytes leave as they are written, plus the managed runtime's
 * `setContentType`.
 *
 * Nothing is sent before the first write: until then the content type may change, and a failure is
 * reported on `/error` like any handler error. After the first byte, a failure ends the stream with
 * the error trailers.
 *
 * @example
 * ```ts
 * const handler = streamingHandler(async (event, responseStream: ResponseStream) => {
 *   responseStream.setContentType('text/plain');
 *   responseStream.write('hello ');
 *   responseStream.end('world');
 * });
 * ```
 */
export interface ResponseStream extends Writable {
  /**
   * Sets the `Content-Type` of the response (default `application/octet-stream`).
   *
   * @throws `InvalidStreamingOperationError` after the first write: the head has left.
   */
  setContentType(contentType: string): void;
  /**
   * The managed runtime's hook for the HTTP prelude, kept under its name for code written against
   * it: called once with a raw write function right before the first payload byte (and, here, at
   * the end when no payload was written). Prefer `httpResponseStream` of `@lambda-runtime/handlers`.
   */
  _onBeforeFirstWrite?: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
}

/**
 * The status, headers and cookies of an HTTP response streamed to a Function URL or an API Gateway
 * streaming integration, sent as the JSON prelude of the stream (docs/runtime-api.md section 7.3).
 */
export interface HttpResponseMetadata {
  /** HTTP status code (default 200 on the caller's side when absent). */
  readonly statusCode?: number;
  /** Single-valued headers; `Content-Type` here is the HTTP response's (default `application/octet-stream`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `Set-Cookie` values, one per cookie, e.g. `['session=abc; Path=/; HttpOnly']`. */
  readonly cookies?: readonly string[];
}

/**
 * What a streaming handler may return instead of writing: the runtime writes it to the response
 * stream (honouring backpressure) and ends the stream. Chunks are bytes or text (UTF-8).
 */
export type StreamingBody =
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | NodeJS.ReadableStream
  | Uint8Array
  | string;

/** Options of a streaming handler. */
export interface StreamingHandlerOptions {
  /**
   * The response stream's `highWaterMark` in bytes: how much a writer may get ahead of the network
   * before `write()` returns `false` (default Node's 16 KiB).
   */
  readonly highWaterMark?: number;
}

/**
 * A streaming handler's function, before it is marked: gets the event, the response stream and the
 * context. It either writes to the stream and ends it, or returns (a promise of) a
 * {@link StreamingBody}. Returning the response stream itself (`async (e, stream) => stream.end('x')`)
 * is the same as returning nothing. Throwing or rejecting fails the invocation.
 */
export type StreamingHandlerFunction<
  TEvent = unknown,
  TContext extends InvocationContext = InvocationContext,
> = (
  event: TEvent,
  responseStream: ResponseStream,
  context: TContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: `void`: a handler that only writes returns nothing
) => void | StreamingBody | ResponseStream | Promise<void | StreamingBody | ResponseStream>;

/** The marks of a streaming handler (see {@link STREAMING_HANDLER}). */
export interface StreamingHandlerMarks {
  readonly [STREAMING_HANDLER]: typeof STREAM_RESPONSE;
  readonly [STREAMING_HIGH_WATER_MARK]?: number;
}

/**
 * A handler the runtime answers through a response stream: a {@link StreamingHandlerFunction}
 * marked with {@link STREAMING_HANDLER}. Made by `streamingHandler()` of `@lambda-runtime/handlers`
 * or by the managed runtime's `awslambda.streamifyResponse()`.
 *
 * @example
 * ```ts
 * const handler: StreamingHandler<{ prompt: string }> = streamingHandler(async function* (event) {
 *   yield `You said: ${event.prompt}`;
 * });
 * ```
 */
export type StreamingHandler<
  TEvent = unknown,
  TContext extends InvocationContext = InvocationContext,
> = StreamingHandlerFunction<TEvent, TContext> & StreamingHandlerMarks;

/**
 * Runs once before the first invocation and returns a streaming handler (see `Initializer`).
 *
 * @example
 * ```ts
 * const initialize: StreamingInitializer = () => streamingHandler(async (event, stream) => stream.end('ok'));
 * ```
 */
export type StreamingInitializer<TEvent = unknown, TContext extends InvocationContext = InvocationContext> = (
  options: InitializeOptions,
) => StreamingHandler<TEvent, TContext> | Promise<StreamingHandler<TEvent, TContext>>;

/**
 * Whether `handler` is marked as streaming: `true` for the mode `'response'`, `false` when unmarked.
 *
 * @throws {@link MalformedStreamingHandlerError} for any other mark (as the managed runtime does).
 *
 * @example
 * ```ts
 * if (isStreamingHandler(handler)) await answerStreaming(handler);
 * ```
 */
export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  if (typeof handler !== 'function') return false;
  const mode = (handler as { [STREAMING_HANDLER]?: unknown })[STREAMING_HANDLER];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandlerError(
    `Only response streaming is supported; the handler is marked ${JSON.stringify(String(mode))}`,
  );
}

/**
 * The `highWaterMark` a streaming handler asks for, when it is a usable number of bytes; a mark
 * written as a string is parsed (as the managed runtime does).
 *
 * @example
 * ```ts
 * const stream = new ResponseStreamImpl({ highWaterMark: streamingHighWaterMark(handler) });
 * ```
 */
export function streamingHighWaterMark(handler: unknown): number | undefined {
  if (typeof handler !== 'function') return undefined;
  const mark = (handler as { [STREAMING_HIGH_WATER_MARK]?: unknown })[STREAMING_HIGH_WATER_MARK];
  const value = typeof mark === 'number' ? Math.trunc(mark) : Number.parseInt(String(mark), 10);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
