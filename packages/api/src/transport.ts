import type { decodeHeaderValue } from './decode-header-value.js';

/** One HTTP request to the Runtime API. */
export interface TransportRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query, starting with `/`; already URL-encoded. */
  readonly path: string;
  /** Header names in any case. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

/** The whole answer, body read to the end. */
export interface TransportResponse {
  readonly status: number;
  /**
   * Header names lower case; repeated headers joined with `, `. Values are text: their bytes
   * decoded as UTF-8, each byte that is not UTF-8 escaped as a lone surrogate ({@link decodeHeaderValue}).
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * For each header name that occurred more than once, every value in arrival order (decoded like
   * `headers`), so that a value containing `, ` can be told from two values. Omitted when no
   * header repeated.
   */
  readonly repeated?: Readonly<Record<string, readonly string[]>>;
  readonly body: Uint8Array;
}

/**
 * Speaks plain HTTP/1.1 to one origin, and nothing more: no Runtime API rules, no status policy,
 * no retries. Every status code is returned, never thrown. Requirements (checked by
 * `@lambda-runtime/transport-contract`): one kept-alive connection reused, no timeout of its own
 * (the `/next` long poll may last hours), header values decoded as UTF-8, connection failures
 * rejected as `TransportError` (with `response` set once any of the answer had arrived), and a
 * request that failed on a reused connection before any answer byte sent once more on a fresh one
 * (the server may have closed the idle connection as the request went out).
 *
 * @example
 * ```ts
 * const transport: Transport = new UndiciTransport({ origin: 'http://127.0.0.1:9001' });
 * const { status, headers, body } = await transport.request({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' });
 * await transport.close();
 * ```
 */
export interface Transport {
  /** @throws {@link TransportError} when no HTTP answer could be had. */
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Releases the connection; later requests may fail. */
  close(): Promise<void>;
  /**
   * Optional: opens the connection ahead of the first request, so that the first `/next` is written
   * at once. Never rejects (a failure shows on the next request) and never keeps the process alive.
   */
  connect?(): Promise<void>;
  /**
   * Optional: `true` when the transport writes requests in call order and may write a GET before
   * the answer to the previous request has arrived (HTTP/1.1 pipelining). The runtime loop then
   * issues `/next` right behind each answer; otherwise it waits for the answer first, because a
   * transport that reorders requests on one connection could park `/next` ahead of the answer.
   */
  readonly pipelining?: boolean;
  /**
   * Optional: starts a request whose body is sent as it is written, in HTTP/1.1 chunked encoding,
   * with trailers after the last chunk (response streaming, runtime-api.md section 7). The request
   * line and headers leave at once, before any body byte. A transport without this method cannot
   * stream, and the runtime says so when it starts (checklist item 39).
   *
   * Streams never reuse the kept-alive connection of `request()`: each goes on a connection of its
   * own, closed once the answer has been read, so a stale idle connection cannot cost a body that
   * cannot be sent twice, and `/next` calls are never queued behind a long stream.
   */
  openStream?(request: StreamingTransportRequest): TransportRequestStream;
}

/** The head of a streamed request; the body follows through {@link TransportRequestStream.write}. */
export interface StreamingTransportRequest {
  readonly method: 'POST';
  /** Path and query, starting with `/`; already URL-encoded. */
  readonly path: string;
  /**
   * Header names in any case. The transport adds `Transfer-Encoding: chunked` and never a
   * `Content-Length`; a `Trailer` header announcing the trailer names is the caller's to give.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The body side of a streamed request.
 *
 * @example
 * ```ts
 * const stream = transport.openStream!({ method: 'POST', path, headers });
 * await stream.write(new TextEncoder().encode('hello'));
 * const answer = await stream.end({ 'Lambda-Runtime-Function-Error-Type': 'Runtime.StreamError' });
 * ```
 */
export interface TransportRequestStream {
  /**
   * Sends `chunk` as one chunk (empty chunks are skipped: a zero-size chunk would end the body).
   * Resolves once the transport can take more without buffering past its high-water mark, so a slow
   * reader slows the writer. `chunk` is not copied: it must not be changed after the call. Rejects
   * with `TransportError` when the request has failed, and once the server has answered before the
   * body ended (then with `code` `ERR_STREAM_ANSWERED` and the answer's status in `response`).
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Ends the body (`0\r\n`, the trailers, `\r\n`) and resolves with the answer once it has been
   * read (with the early answer, sending nothing, when the server answered first); rejects with
   * `TransportError` when no answer could be had.
   */
  end(trailers?: Readonly<Record<string, string>>): Promise<TransportResponse>;
  /**
   * The answer, whenever it arrives: a server may answer before the body has ended (413, 4xx).
   * Rejects like `end`. Never an unhandled rejection when nobody reads it.
   */
  readonly response: Promise<TransportResponse>;
  /** Tears the request down without the terminating chunk, so the server sees a cut body. */
  abort(reason?: Error): void;
}

/** Builds a transport for an origin such as `http://127.0.0.1:9001`. */
export type TransportFactory = (origin: string) => Transport;
