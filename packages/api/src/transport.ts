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
}

/** Builds a transport for an origin such as `http://127.0.0.1:9001`. */
export type TransportFactory = (origin: string) => Transport;
