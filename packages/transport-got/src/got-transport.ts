import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import {
  decodeHeaderValue,
  type PartialResponse,
  ResponseHeaderCollector,
  type StreamingTransportRequest,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import got, { type Got, type RequestFunction } from 'got';
import { GotRequestStream } from './got-request-stream.js';

/** Options of {@link GotTransport}. */
export interface GotTransportOptions {
  /** Where the Runtime API listens, e.g. `http://127.0.0.1:9001` (plain HTTP: the Runtime API has no TLS). */
  readonly origin: string;
}

/** Largest response head accepted, as in the socket transport (Node's default is 16 KiB). */
const MAX_HEADER_BYTES = 256 * 1024;

/** What one try of a request went out on, seen through the `http.ClientRequest` got created. */
interface Attempt {
  request: ClientRequest | undefined;
  socket: Socket | undefined;
  /** `socket.bytesRead` when the request was given the socket. */
  bytesBefore: number;
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
 * A request that fails before any answer byte on a reused socket (`ClientRequest.reusedSocket`:
 * the server closed it as the request went out, or while a synchronous handler held the event
 * loop) is sent once more on a new socket, GET and POST alike (a POST the server did process is
 * then answered 403, which the runtime tolerates). Header values are decoded as UTF-8; repeated
 * headers are joined and listed in `repeated`.
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
  /** Streams get a connection each, closed after the answer (`Connection: close`), never the kept-alive one. */
  readonly #streamAgent = new Agent({ keepAlive: false });
  /** Streamed requests not yet settled. */
  readonly #streams = new Set<GotRequestStream>();
  #closed = false;

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
    let attempt: Attempt = { request: undefined, socket: undefined, bytesBefore: 0 };
    try {
      return await this.#send(request, attempt);
    } catch (error) {
      if (this.#closed || !unansweredOnReused(attempt, error)) throw failure(request, error, attempt);
      attempt = { request: undefined, socket: undefined, bytesBefore: 0 };
      try {
        return await this.#send(request, attempt);
      } catch (retryError) {
        throw failure(request, retryError, attempt);
      }
    }
  }

  async #send(request: TransportRequest, attempt: Attempt): Promise<TransportResponse> {
    const { path } = request;
    const sendRawPath: RequestFunction = (url, options, callback) => {
      const outgoing = httpRequest(url, { ...options, path, maxHeaderSize: MAX_HEADER_BYTES }, callback);
      attempt.request = outgoing;
      outgoing.once('socket', (socket: Socket) => {
        attempt.socket = socket;
        attempt.bytesBefore = socket.bytesRead;
      });
      return outgoing;
    };
    const response = await this.#got(`${this.#origin}${path}`, {
      method: request.method,
      headers: { ...request.headers },
      body: toBody(request.body),
      request: sendRawPath,
      responseType: 'buffer',
    });
    const { headers, repeated } = readRawHeaders(response.rawHeaders);
    return repeated === undefined
      ? { status: response.statusCode, headers, body: response.body }
      : { status: response.statusCode, headers, repeated, body: response.body };
  }

  /**
   * Starts a streamed request (response streaming) through `got.stream` on a connection of its
   * own: the head leaves at once (`flushHeaders`), each `write` is one HTTP/1.1 chunk with got's
   * backpressure, and `end(trailers)` adds the trailers to the underlying `http.ClientRequest`
   * (`addTrailers`) before ending it. See {@link GotRequestStream}.
   *
   * @example
   * ```ts
   * const stream = transport.openStream({ method: 'POST', path, headers: { 'Content-Type': 'text/plain' } });
   * await stream.write(Buffer.from('hello'));
   * const { status } = await stream.end();
   * ```
   */
  openStream(request: StreamingTransportRequest): TransportRequestStream {
    const { path } = request;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      // The framing is Node's: a length or a second coding would contradict the chunks.
      if (!/^(?:content-length|transfer-encoding)$/i.test(name)) headers[name] = value;
    }
    const stream = new GotRequestStream(
      request,
      (onRequest) => {
        const sendRawPath: RequestFunction = (url, options, callback) => {
          const outgoing = httpRequest(url, { ...options, path, maxHeaderSize: MAX_HEADER_BYTES }, callback);
          onRequest(outgoing);
          return outgoing;
        };
        return this.#got.stream(`${this.#origin}${path}`, {
          method: request.method,
          headers,
          request: sendRawPath,
          agent: { http: this.#streamAgent },
        });
      },
      (settled) => this.#streams.delete(settled),
      this.#closed
        ? Object.assign(new Error('the transport is closed'), { code: 'ERR_TRANSPORT_CLOSED' })
        : undefined,
    );
    if (!stream.settled) this.#streams.add(stream);
    return stream;
  }

  /**
   * Destroys the socket; a request still outstanding rejects with a {@link TransportError}, and
   * streams still open are cut (their `response` rejects the same way).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = Object.assign(new Error('the transport is closed'), { code: 'ERR_TRANSPORT_CLOSED' });
    for (const stream of [...this.#streams]) stream.abort(closed);
    this.#agent.destroy();
    this.#streamAgent.destroy();
  }
}

/** The try went out on a reused socket, failed, and not one byte of an answer came back. */
function unansweredOnReused(attempt: Attempt, error: unknown): boolean {
  const { request, socket } = attempt;
  return (
    request?.reusedSocket === true &&
    socket !== undefined &&
    socket.bytesRead === attempt.bytesBefore &&
    (error as { response?: unknown }).response === undefined
  );
}

/** The error to throw: with what had arrived of the answer, when anything had. */
function failure(request: TransportRequest, error: unknown, attempt: Attempt): TransportError {
  // got attaches the response to errors that happen once its head arrived (a body cut short).
  const response = (error as { response?: { statusCode?: unknown; rawHeaders?: unknown } }).response;
  let partial: PartialResponse | undefined;
  if (response !== undefined && Array.isArray(response.rawHeaders)) {
    const { headers, repeated } = readRawHeaders(response.rawHeaders as string[]);
    partial = {
      status: typeof response.statusCode === 'number' ? response.statusCode : undefined,
      headComplete: true,
      headers,
      ...(repeated === undefined ? {} : { repeated }),
    };
  } else if (attempt.socket !== undefined && attempt.socket.bytesRead > attempt.bytesBefore) {
    partial = { status: undefined, headComplete: false, headers: {} };
  }
  return TransportError.wrap(request, error, partial);
}

/** got sends strings and Buffers; a Uint8Array becomes a Buffer over the same bytes (no copy). */
function toBody(body: TransportRequest['body']): string | Buffer | undefined {
  if (body === undefined || typeof body === 'string') return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * From the raw pairs, so every repeated header is joined the same way (Node special-cases some,
 * dropping repeats of `content-type` for example). Node reads values as Latin-1 (one character per
 * byte); they are decoded as UTF-8 here.
 */
function readRawHeaders(raw: readonly string[]): ResponseHeaderCollector {
  const collector = new ResponseHeaderCollector();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    collector.add((raw[i] as string).toLowerCase(), decodeHeaderValue(raw[i + 1] as string));
  }
  return collector;
}
