import {
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';
import { Client } from 'undici';

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

/**
 * A {@link Transport} on a private undici `Client`: one kept-alive HTTP/1.1 connection to one
 * origin, no pipelining, no timeouts of its own (the `/next` long poll may last hours), no
 * retries. It never touches undici's global dispatcher, so the user's `fetch` is unaffected.
 *
 * One instance is one connection: requests queue behind each other. A runtime running several
 * long polls at once (Lambda Managed Instances) needs one transport per concurrent worker.
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

  constructor(options: UndiciTransportOptions) {
    this.#client = new Client(options.origin, {
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
    try {
      const response = await this.#client.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      const body = await response.body.bytes();
      return { status: response.statusCode, headers: joinHeaders(response.headers), body };
    } catch (error) {
      throw TransportError.wrap(request, error);
    }
  }

  /**
   * Destroys the connection. A request still outstanding (typically a `/next` parked during
   * shutdown, which may never be answered) rejects with a {@link TransportError} instead of
   * keeping `close()` waiting, which a graceful `Client.close()` would do.
   */
  async close(): Promise<void> {
    await this.#client.destroy();
  }
}

/** undici already lower-cases names; it gives repeated headers as arrays. */
function joinHeaders(headers: UndiciHeaders): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) joined[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return joined;
}
