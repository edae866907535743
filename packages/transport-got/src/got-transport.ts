import { Agent, request as httpRequest } from 'node:http';
import {
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';
import got, { type Got, type RequestFunction } from 'got';

/** Options of {@link GotTransport}. */
export interface GotTransportOptions {
  /** Where the Runtime API listens, e.g. `http://127.0.0.1:9001` (plain HTTP: the Runtime API has no TLS). */
  readonly origin: string;
}

/**
 * A {@link Transport} on got with a private keep-alive `http.Agent` (one socket): no retries,
 * no timeouts (the `/next` long poll may last hours), no redirects, no decompression, no cache,
 * and every status returned rather than thrown.
 *
 * got builds a WHATWG `URL` for each request, which would collapse `.`/`..` segments an encoded
 * request id can produce; the path is therefore handed to `http.request` exactly as given.
 *
 * One instance is one connection: requests queue behind each other. A runtime running several
 * long polls at once (Lambda Managed Instances) needs one transport per concurrent worker.
 *
 * @example
 * ```ts
 * const transport = new GotTransport({ origin: `http://${process.env.AWS_LAMBDA_RUNTIME_API}` });
 * const next = await transport.request({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' });
 * await transport.close();
 * ```
 */
export class GotTransport implements Transport {
  readonly #origin: string;
  readonly #agent: Agent;
  readonly #got: Got;

  constructor(options: GotTransportOptions) {
    const url = new URL(options.origin);
    if (url.protocol !== 'http:')
      throw new TypeError(`GotTransport speaks plain HTTP, got origin ${options.origin}`);
    this.#origin = url.origin;
    // No agent `timeout`: Node applies it to the socket of a request in flight too, and a free
    // socket the server closes (FIN or RST) is dropped from the agent anyway.
    this.#agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.#got = got.extend({
      agent: { http: this.#agent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      timeout: {},
      responseType: 'buffer',
      decompress: false,
      cache: false,
      followRedirect: false,
      http2: false,
      // The caller's User-Agent is the only one the Runtime API should see.
      headers: { 'user-agent': undefined },
    });
  }

  /**
   * Sends one request and reads the whole answer. Every status is returned.
   *
   * @throws {@link TransportError} when the connection fails, with got's `RequestError` as `cause`.
   */
  async request(request: TransportRequest): Promise<TransportResponse> {
    const { path } = request;
    const sendRawPath: RequestFunction = (url, options, callback) =>
      httpRequest(url, { ...options, path }, callback);
    try {
      const response = await this.#got(`${this.#origin}${path}`, {
        method: request.method,
        headers: { ...request.headers },
        body: toBody(request.body),
        request: sendRawPath,
        responseType: 'buffer',
      });
      return {
        status: response.statusCode,
        headers: joinRawHeaders(response.rawHeaders),
        body: response.body,
      };
    } catch (error) {
      throw TransportError.wrap(request, error);
    }
  }

  /** Destroys the socket; a request still outstanding rejects with a {@link TransportError}. */
  async close(): Promise<void> {
    this.#agent.destroy();
  }
}

/** got sends strings and Buffers; a Uint8Array becomes a Buffer over the same bytes (no copy). */
function toBody(body: TransportRequest['body']): string | Buffer | undefined {
  if (body === undefined || typeof body === 'string') return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** From the raw pairs, so every repeated header is joined the same way (Node special-cases some). */
function joinRawHeaders(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
}
