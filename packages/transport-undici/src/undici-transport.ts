import type { Socket } from 'node:net';
import {
  decodeHeaderValue,
  type PartialResponse,
  ResponseHeaderCollector,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';
import { buildConnector, Client } from 'undici';

/** Options of {@link UndiciTransport}. */
export interface UndiciTransportOptions {
  /** Where the Runtime API listens, e.g. `http://127.0.0.1:9001`. */
  readonly origin: string;
  /**
   * How long an idle connection is kept when the server announces no keep-alive, in ms.
   * Default 4_000: below the shortest idle timeout servers commonly use (Node's 5 s), so the
   * client drops an idle connection before a server could close it under a request in flight.
   */
  readonly keepAliveTimeout?: number;
  /**
   * Subtracted from a keep-alive the server announces (`Keep-Alive: timeout=5` keeps 3 s), in ms.
   * Default 2_000.
   */
  readonly keepAliveTimeoutThreshold?: number;
}

type UndiciHeaders = Record<string, string | string[] | undefined>;

/** Largest response head accepted, as in the socket transport (undici's default is Node's 16 KiB). */
const MAX_HEADER_BYTES = 256 * 1024;

/** The connection a request was sent on, as far as the transport can tell before sending it. */
interface Attempt {
  /** The connection undici held when the request was made, if any. */
  readonly socket: Socket | undefined;
  /** Its `bytesRead` when its last answer ended; -1 when it had carried none. */
  readonly idleBytes: number;
}

/** Thrown inside {@link UndiciTransport.request} once the head arrived, to report it with the failure. */
class BodyFailure {
  constructor(
    readonly partial: PartialResponse,
    readonly error: unknown,
  ) {}
}

/**
 * A {@link Transport} on a private undici `Client`: one kept-alive HTTP/1.1 connection to one
 * origin, no pipelining, no timeouts of its own (the `/next` long poll may last hours), no
 * retries. It never touches undici's global dispatcher, so the user's `fetch` is unaffected.
 *
 * One instance is one connection: requests queue behind each other. A runtime running several
 * long polls at once (Lambda Managed Instances) needs one transport per concurrent worker.
 *
 * It cannot stream request bodies for response streaming, and so has no `openStream` (checklist
 * item 39): undici 7 ends every chunked body with a fixed `0\r\n\r\n` and has no way to send
 * request trailers, which carry a streamed response's error after its first byte.
 *
 * A request that fails before any answer byte on a connection that had already carried an answer
 * (the server closed it as the request went out, or while a synchronous handler held the event
 * loop) is sent once more on a new connection, GET and POST alike (a POST the server did process
 * is then answered 403, which the runtime tolerates). The transport opens its connections through
 * undici's own connector and watches their byte counts to tell these cases apart. Header values are
 * decoded as UTF-8; repeated headers are joined and listed in `repeated`.
 *
 * @example
 * ```ts
 * const transport = new UndiciTransport({ origin: `http://${process.env.AWS_LAMBDA_RUNTIME_API}` });
 * const next = await transport.request({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' });
 * await transport.close();
 * ```
 */
export class UndiciTransport implements Transport {
  readonly #client: Client;
  /** The connection undici opened last (it keeps one). */
  #socket: Socket | undefined;
  /** `#socket.bytesRead` when its last answer ended; -1 while it has carried none. */
  #idleBytes = -1;
  #closed = false;

  constructor(options: UndiciTransportOptions) {
    const connector = buildConnector({});
    this.#client = new Client(options.origin, {
      connect: (connectOptions, callback) =>
        connector(connectOptions, (...result) => {
          // A failed connect leaves no connection: its failure must not be read from the old one.
          const [error, socket] = result;
          this.#socket = error === null && socket !== null ? socket : undefined;
          this.#idleBytes = -1;
          callback(...result);
        }),
      maxHeaderSize: MAX_HEADER_BYTES,
      // undici's 300 s defaults would abort a /next long poll that waits longer for an event.
      headersTimeout: 0,
      bodyTimeout: 0,
      // Idle connections: drop them ourselves before the server can, so a request is never
      // written to a socket the server is closing (that race surfaces as ECONNRESET/UND_ERR_SOCKET,
      // and undici does not retry). Reconnecting on loopback costs well under a millisecond;
      // a server FIN or RST on an idle connection is noticed and only leads to a reconnect.
      keepAliveTimeout: options.keepAliveTimeout ?? 4_000,
      keepAliveTimeoutThreshold: options.keepAliveTimeoutThreshold ?? 2_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
    });
  }

  /**
   * Sends one request and reads the whole answer. Every status is returned.
   *
   * @throws {@link TransportError} when the connection fails, with undici's error as `cause`.
   */
  async request(request: TransportRequest): Promise<TransportResponse> {
    let attempt = this.#attempt();
    try {
      return await this.#send(request);
    } catch (error) {
      if (!(error instanceof BodyFailure) && !this.#closed && this.#unansweredOnReused(attempt)) {
        attempt = this.#attempt();
        try {
          return await this.#send(request);
        } catch (retryError) {
          throw this.#failure(request, retryError, attempt);
        }
      }
      throw this.#failure(request, error, attempt);
    }
  }

  async #send(request: TransportRequest): Promise<TransportResponse> {
    const response = await this.#client.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body,
    });
    const { headers, repeated } = readHeaders(response.headers);
    let body: Uint8Array;
    try {
      body = await response.body.bytes();
    } catch (error) {
      throw new BodyFailure(
        { status: response.statusCode, headComplete: true, headers, ...(repeated ? { repeated } : {}) },
        error,
      );
    }
    const socket = this.#socket;
    if (socket !== undefined) this.#idleBytes = socket.bytesRead;
    return repeated === undefined
      ? { status: response.statusCode, headers, body }
      : { status: response.statusCode, headers, repeated, body };
  }

  #attempt(): Attempt {
    const socket = this.#socket;
    return socket === undefined || socket.destroyed
      ? { socket: undefined, idleBytes: -1 }
      : { socket, idleBytes: this.#idleBytes };
  }

  /** The request went out on the connection that had carried an answer, and not one byte came back. */
  #unansweredOnReused(attempt: Attempt): boolean {
    const { socket, idleBytes } = attempt;
    return (
      socket !== undefined && idleBytes >= 0 && this.#socket === socket && socket.bytesRead === idleBytes
    );
  }

  /** The error to throw: with what had arrived of the answer, when anything had. */
  #failure(request: TransportRequest, error: unknown, attempt: Attempt): TransportError {
    if (error instanceof BodyFailure) return TransportError.wrap(request, error.error, error.partial);
    const socket = this.#socket;
    const before = socket !== undefined && socket === attempt.socket ? Math.max(attempt.idleBytes, 0) : 0;
    const answered = socket !== undefined && socket.bytesRead > before;
    return TransportError.wrap(
      request,
      error,
      answered ? { status: undefined, headComplete: false, headers: {} } : undefined,
    );
  }

  /**
   * Destroys the connection. A request still outstanding (typically a `/next` parked during
   * shutdown, which may never be answered) rejects with a {@link TransportError} instead of
   * keeping `close()` waiting, which a graceful `Client.close()` would do.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client.destroy();
  }
}

/**
 * undici already lower-cases names and gives a repeated header's values as an array; values come
 * as Latin-1 (one character per byte), and are decoded as UTF-8 here.
 */
function readHeaders(headers: UndiciHeaders): ResponseHeaderCollector {
  const collector = new ResponseHeaderCollector();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) collector.add(name, decodeHeaderValue(one));
  }
  return collector;
}
