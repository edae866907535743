import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  HTTP_PRELUDE_DELIMITER_BYTES,
  type HttpResponseMetadata,
  type InvocationContext,
  type ResponseStream,
  STREAM_RESPONSE,
  STREAMING_HANDLER,
  STREAMING_HIGH_WATER_MARK,
  type StreamingHandler,
  type StreamingHandlerFunction,
  type StreamingHandlerOptions,
} from '@lambda-runtime/api';

/**
 * Marks `handler` as a streaming handler and returns it: the runtime then calls it with
 * `(event, responseStream, context)` and answers through a response stream whose bytes leave as
 * they are written (docs/runtime-api.md section 7).
 *
 * The handler either writes to `responseStream` (a Node `Writable`: `write()` returns `false` when
 * the reader is slower, `pipeline()` waits for it) and ends it, or returns a body: a Web
 * `ReadableStream`, an async iterable (an `async function*` too), a Node `Readable`, a string or
 * bytes. A returned body is written after anything already written, with backpressure, and the
 * stream is ended. A throw or rejection before the first byte is answered on `/error`; after it, the
 * stream ends with the error trailers.
 *
 * The mark is the managed Node.js runtime's, so the result is the same as
 * `awslambda.streamifyResponse(handler, options)` there.
 *
 * @param handler - `(event, responseStream, context) => ...`.
 * @param options - `highWaterMark`: the response stream's buffer in bytes (default 16 KiB).
 * @returns `handler` itself, marked and typed as a {@link StreamingHandler}.
 *
 * @example
 * ```ts
 * import { defaultRuntime } from '@lambda-runtime/core';
 * import { streamingHandler } from '@lambda-runtime/handlers';
 *
 * defaultRuntime(() =>
 *   streamingHandler(async function* (event: { words: string[] }) {
 *     for (const word of event.words) yield `${word}\n`;
 *   }),
 * ).run();
 * ```
 */
export function streamingHandler<
  // biome-ignore lint/suspicious/noExplicitAny: like the managed runtime's handlers, events are untyped unless the caller names a type
  TEvent = any,
  TContext extends InvocationContext = InvocationContext,
>(
  handler: StreamingHandlerFunction<TEvent, TContext>,
  options: StreamingHandlerOptions = {},
): StreamingHandler<TEvent, TContext> {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `A streaming handler must be a function, not ${handler === null ? 'null' : typeof handler}`,
    );
  }
  const marked = handler as StreamingHandlerFunction<TEvent, TContext> & {
    [STREAMING_HANDLER]?: string;
    [STREAMING_HIGH_WATER_MARK]?: number;
  };
  marked[STREAMING_HANDLER] = STREAM_RESPONSE;
  const { highWaterMark } = options;
  if (highWaterMark !== undefined) {
    if (!Number.isInteger(highWaterMark) || highWaterMark <= 0) {
      throw new RangeError(
        `highWaterMark must be a positive integer number of bytes, not ${String(highWaterMark)}`,
      );
    }
    marked[STREAMING_HIGH_WATER_MARK] = highWaterMark;
  }
  return marked as StreamingHandler<TEvent, TContext>;
}

/**
 * Turns `responseStream` into an HTTP response for a Function URL or an API Gateway streaming
 * integration: sets the request's content type to `application/vnd.awslambda.http-integration-response`
 * and sends `metadata` (status, headers, cookies) as the JSON prelude, then eight 0x00 bytes, right
 * before the first payload byte; when the handler ends the stream without writing, the prelude is
 * still sent, so a status-only answer (a 204, a redirect) works.
 *
 * Call it before the first write. The same as the managed runtime's
 * `awslambda.HttpResponseStream.from(responseStream, metadata)`, plus two checks that the caller
 * would otherwise only see as a 502: `statusCode` a whole number from 100 to 599, and the prelude
 * within the first 16 KiB of the stream (API Gateway's limit).
 *
 * @returns `responseStream` itself, for chaining.
 * @throws `RangeError` for a status code out of range or a prelude over 16 KiB; the
 * `InvalidStreamingOperationError` of `setContentType` after the first write.
 *
 * @example
 * ```ts
 * export const handler = streamingHandler(async (event, responseStream) => {
 *   const http = httpResponseStream(responseStream, {
 *     statusCode: 200,
 *     headers: { 'Content-Type': 'text/html' },
 *     cookies: ['seen=1; Path=/'],
 *   });
 *   http.write('<p>streaming…</p>');
 *   http.end();
 * });
 * ```
 */
export function httpResponseStream<TStream extends ResponseStream>(
  responseStream: TStream,
  metadata: HttpResponseMetadata,
): TStream {
  const { statusCode } = metadata;
  if (statusCode !== undefined && !(Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599)) {
    throw new RangeError(`statusCode must be a whole number from 100 to 599, not ${String(statusCode)}`);
  }
  const prelude = JSON.stringify(metadata);
  const size = Buffer.byteLength(prelude) + HTTP_PRELUDE_DELIMITER_BYTES;
  if (size > MAX_PRELUDE_BYTES) {
    throw new RangeError(
      `The HTTP prelude (status, headers, cookies) takes ${size} bytes; it must fit in the first ${MAX_PRELUDE_BYTES} bytes of the stream`,
    );
  }
  return withPrelude(responseStream, prelude);
}

/** API Gateway reads the prelude and its delimiter from the first 16 KiB of the stream. */
const MAX_PRELUDE_BYTES = 16 * 1024;

function withPrelude<TStream extends ResponseStream>(responseStream: TStream, prelude: string): TStream {
  responseStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
  // Serialised by the caller, so a later change to the metadata is not sent, and JSON escapes any
  // NUL in it: the delimiter must be the first NUL bytes of the stream.
  responseStream._onBeforeFirstWrite = (write) => {
    write(prelude);
    write(new Uint8Array(HTTP_PRELUDE_DELIMITER_BYTES));
  };
  return responseStream;
}

/**
 * The managed runtime's `awslambda.HttpResponseStream`, for code written against it:
 * `HttpResponseStream.from(responseStream, { statusCode, headers, cookies })` is
 * {@link httpResponseStream} without its checks, as lenient as the managed runtime's.
 *
 * @example
 * ```ts
 * const http = HttpResponseStream.from(responseStream, { statusCode: 404 });
 * http.end('not found');
 * ```
 */
export const HttpResponseStream: {
  /** See {@link httpResponseStream}. */
  readonly from: <TStream extends ResponseStream>(
    responseStream: TStream,
    metadata: HttpResponseMetadata,
  ) => TStream;
} = Object.freeze({
  from: <TStream extends ResponseStream>(responseStream: TStream, metadata: HttpResponseMetadata): TStream =>
    withPrelude(responseStream, JSON.stringify(metadata)),
});
