import { connect, type Socket } from 'node:net';
import {
  type PartialResponse,
  type StreamingTransportRequest,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import {
  ASCII_REQUEST_TARGET,
  ASCII_VALUE,
  closedError,
  codedError,
  LATIN1_VALUE,
  REQUEST_TARGET,
  TOKEN,
} from './request-head.js';
import { ResponseParser } from './response-parser.js';
import { SocketRequestStream } from './socket-request-stream.js';

/** Options of {@link SocketTransport}. */
export interface SocketTransportOptions {
  /** Where the Runtime API listens: `http://host:port`, e.g. `http://127.0.0.1:9001`. */
  readonly origin: string;
  /**
   * Write a GET right behind the request in flight instead of waiting for its answer (HTTP/1.1
   * pipelining, one deep). The runtime loop posts a result and polls `/next` together, so both go
   * out in one write and their answers usually come back in one read. The server must answer
   * pipelined requests in order, as HTTP/1.1 requires (Lambda's and our emulator do). A GET that
   * loses its connection unanswered is sent again. Default `false`.
   */
  readonly pipelining?: boolean;
}

/** A request serialised once, so a retry writes the very same bytes. */
interface Exchange {
  readonly request: TransportRequest;
  /** Status line and headers, ending with the blank line; ISO-8859-1 bytes. */
  readonly head: string;
  /** Whether `head` is pure ASCII (then it may be sent in one UTF-8 string with a string body). */
  readonly asciiHead: boolean;
  readonly body: string | Buffer | undefined;
  /** The caller asked for `Connection: close`. */
  readonly closeAfter: boolean;
  readonly resolve: (response: TransportResponse) => void;
  readonly reject: (error: TransportError) => void;
  /** The request went out on a connection that had already carried a response. */
  reused: boolean;
  /** At least one response byte arrived for this attempt. */
  answered: boolean;
  retried: boolean;
}

/** A body up to this size is copied behind the head into one buffer; larger ones go out in a writev. */
const COPY_BODY_LIMIT = 16 * 1024;
/** Taken off a `Keep-Alive: timeout=` the server announces, so we never race its idle close. */
const KEEP_ALIVE_MARGIN_MS = 1_000;

const CLOSE_TOKEN = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;
const KEEP_ALIVE_TIMEOUT = /(?:^|[,; \t])timeout[ \t]*=[ \t]*(\d+)/i;

/**
 * A {@link Transport} written directly on `node:net`: a minimal HTTP/1.1 client for one origin
 * that costs next to nothing to import (only `node:net`) and little CPU per request.
 *
 * - One kept-alive connection, opened on the first request; requests run strictly one after
 *   another (concurrent calls queue in call order).
 * - No timeouts at all: a `/next` long poll may wait for hours.
 * - The socket is `unref()`ed while idle, so an idle transport never keeps the process alive,
 *   and `ref()`ed while a request is in flight.
 * - An idle connection the server closed is replaced transparently. A request written onto a
 *   reused connection that dies before any response byte (the server closed it as the request went
 *   out, or while a synchronous handler held the event loop) is sent once more on a new
 *   connection, GET and POST alike: a POST the server did process is then answered 403, which
 *   the runtime tolerates, whereas a lost answer could not be recovered.
 * - Every status is returned. Connection failures reject with `TransportError` (`code` such as
 *   `ECONNREFUSED`, `ECONNRESET`, `EPIPE`); malformed responses with code `ERR_MALFORMED_RESPONSE`
 *   (cause {@link MalformedResponseError}) and the connection is discarded. Once any response
 *   byte had arrived, the error's `response` holds what was read (status and fields; for a head
 *   over the parser's limit, the fields it carried), so the caller knows the server answered.
 * - Header values are decoded as UTF-8; repeated headers are joined and listed in `repeated`.
 *
 * @example
 * ```ts
 * const transport = new SocketTransport({ origin: `http://${process.env.AWS_LAMBDA_RUNTIME_API}` });
 * const next = await transport.request({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' });
 * await transport.close();
 * ```
 */
export class SocketTransport implements Transport {
  readonly #host: string;
  readonly #port: number;
  readonly #hostLine: string;
  readonly #parser = new ResponseParser();
  readonly #queue: Exchange[] = [];
  #socket: Socket | undefined;
  /** The exchange whose request is on the wire. */
  #current: Exchange | undefined;
  /** A GET written behind {@link #current} on the same connection (pipelining). */
  #pipelined: Exchange | undefined;
  readonly #pipelining: boolean;
  /** Whether GETs are written behind the request in flight (the `pipelining` option). */
  get pipelining(): boolean {
    return this.#pipelining;
  }
  /** Whether {@link #socket} has carried a complete response (and so may be stale). */
  #socketReused = false;
  /** `Date.now()` after which the idle connection is not reused (from a `Keep-Alive` hint). */
  #reuseUntil = Number.POSITIVE_INFINITY;
  #closed = false;
  /** Streamed requests not yet settled, each on a connection of its own. */
  readonly #streams = new Set<SocketRequestStream>();

  /** @throws {TypeError} when `origin` is not an `http:` origin. */
  constructor(options: SocketTransportOptions) {
    // Parsed once here, never per request.
    const url = new URL(options.origin);
    if (url.protocol !== 'http:')
      throw new TypeError(`SocketTransport speaks plain http only, got ${options.origin}`);
    // IPv6 literals come bracketed in URL.hostname; the socket wants the bare address.
    this.#host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.#port = url.port === '' ? 80 : Number(url.port);
    this.#hostLine = `Host: ${url.host}\r\n`;
    this.#pipelining = options.pipelining === true;
  }

  /**
   * Sends one request and reads the whole answer. Every status is returned.
   *
   * @throws {@link TransportError} when no complete HTTP answer could be had, the answer is
   * malformed, the request cannot be serialised, or the transport is closed.
   */
  request(request: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) return Promise.reject(TransportError.wrap(request, closedError()));
    return new Promise((resolve, reject) => {
      let exchange: Exchange;
      try {
        exchange = this.#serialise(request, resolve, reject);
      } catch (error) {
        reject(TransportError.wrap(request, error));
        return;
      }
      if (this.#current === undefined) this.#start(exchange);
      else if (this.#canPipeline(exchange)) this.#writeBehind(exchange);
      else this.#queue.push(exchange);
    });
  }

  /**
   * Opens the connection now, so that the first request is written at once instead of after a
   * connect round trip. Resolves when connected, or when connecting failed (the next request then
   * reports it). The idle connection does not keep the process alive.
   */
  connect(): Promise<void> {
    if (this.#closed || this.#socket !== undefined) return Promise.resolve();
    const socket = this.#connect();
    socket.unref();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('connect', done);
        socket.off('close', done);
        resolve();
      };
      socket.once('connect', done);
      socket.once('close', done);
    });
  }

  /**
   * Starts a streamed request (response streaming) on a connection of its own, never the kept-alive
   * one: the head leaves at once, each `write` is one HTTP/1.1 chunk with the socket's backpressure,
   * `end(trailers)` writes the terminator and trailers, and the connection closes after the answer.
   * See {@link SocketRequestStream}.
   *
   * @example
   * ```ts
   * const stream = transport.openStream({ method: 'POST', path, headers: { 'Content-Type': 'text/plain' } });
   * await stream.write(Buffer.from('hello'));
   * const { status } = await stream.end();
   * ```
   */
  openStream(request: StreamingTransportRequest): TransportRequestStream {
    const stream = new SocketRequestStream(
      request,
      {
        host: this.#host,
        port: this.#port,
        hostLine: this.#hostLine,
        onSettled: (s) => this.#streams.delete(s),
      },
      this.#closed ? closedError() : undefined,
    );
    if (!stream.settled) this.#streams.add(stream);
    return stream;
  }

  /**
   * Destroys the connection. The request in flight (typically a parked `/next`) and every queued
   * one reject with a {@link TransportError} (`ERR_TRANSPORT_CLOSED`); so do later requests, and
   * streams still open are cut (their `response` rejects the same way).
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.abort(closedError());
    const socket = this.#socket;
    if (socket !== undefined) this.#discard(socket);
    const pending = this.#current === undefined ? [] : [this.#current];
    if (this.#pipelined !== undefined) pending.push(this.#pipelined);
    pending.push(...this.#queue.splice(0));
    this.#current = undefined;
    this.#pipelined = undefined;
    for (const exchange of pending) exchange.reject(TransportError.wrap(exchange.request, closedError()));
  }

  #serialise(
    request: TransportRequest,
    resolve: (response: TransportResponse) => void,
    reject: (error: TransportError) => void,
  ): Exchange {
    const { path, headers, body } = request;
    // Typed GET | POST, but JavaScript callers may pass anything.
    const method: string = request.method;
    // HEAD and CONNECT answers are framed differently; the Runtime APIs use neither.
    if (!TOKEN.test(method) || method === 'HEAD' || method === 'CONNECT')
      throw codedError(`invalid method ${JSON.stringify(method)}`, 'ERR_INVALID_REQUEST');
    let asciiHead = true;
    if (!ASCII_REQUEST_TARGET.test(path)) {
      if (!REQUEST_TARGET.test(path)) {
        throw codedError(`invalid characters in path ${JSON.stringify(path)}`, 'ERR_INVALID_REQUEST');
      }
      asciiHead = false;
    }
    let lines = '';
    let hostGiven = false;
    let closeAfter = false;
    if (headers !== undefined) {
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (typeof value !== 'string') continue;
        if (!TOKEN.test(name))
          throw codedError(`invalid header name ${JSON.stringify(name)}`, 'ERR_INVALID_REQUEST');
        if (!ASCII_VALUE.test(value)) {
          // CR/LF would let a value inject headers; refuse instead of sending.
          if (!LATIN1_VALUE.test(value)) {
            throw codedError(`invalid characters in the value of header ${name}`, 'ERR_INVALID_REQUEST');
          }
          asciiHead = false;
        }
        // Only names of these lengths need a closer look, which keeps the common case cheap.
        switch (name.length) {
          case 4:
            if (name.toLowerCase() === 'host') hostGiven = true;
            break;
          case 10:
            if (name.toLowerCase() === 'connection' && CLOSE_TOKEN.test(value)) closeAfter = true;
            break;
          case 14:
            // The body's real length is sent below; a second, possibly different one would break framing.
            if (name.toLowerCase() === 'content-length') continue;
            break;
          case 17:
            if (name.toLowerCase() === 'transfer-encoding') continue;
            break;
        }
        lines += `${name}: ${value}\r\n`;
      }
    }
    let payload: string | Buffer | undefined;
    if (body === undefined) {
      // POST carries content by definition, so it says how much: none.
      if (method !== 'GET') lines += 'Content-Length: 0\r\n';
    } else if (typeof body === 'string') {
      payload = body;
      lines += `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n`;
    } else {
      payload = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      lines += `Content-Length: ${payload.length}\r\n`;
    }
    const head = `${method} ${path} HTTP/1.1\r\n${hostGiven ? '' : this.#hostLine}${lines}\r\n`;
    return {
      request,
      head,
      asciiHead,
      body: payload,
      closeAfter,
      resolve,
      reject,
      reused: false,
      answered: false,
      retried: false,
    };
  }

  #start(exchange: Exchange): void {
    let socket = this.#socket;
    if (
      socket !== undefined &&
      this.#reuseUntil !== Number.POSITIVE_INFINITY &&
      Date.now() >= this.#reuseUntil
    ) {
      // The server said it drops idle connections by now: do not race it.
      this.#discard(socket);
      socket = undefined;
    }
    if (socket === undefined) {
      socket = this.#connect();
      exchange.reused = false;
    } else {
      socket.ref();
      exchange.reused = this.#socketReused;
    }
    exchange.answered = false;
    this.#current = exchange;
    this.#parser.reset();
    write(socket, exchange);
  }

  #canPipeline(exchange: Exchange): boolean {
    const socket = this.#socket;
    return (
      this.#pipelining &&
      exchange.request.method === 'GET' &&
      this.#pipelined === undefined &&
      this.#queue.length === 0 &&
      socket !== undefined &&
      !socket.connecting &&
      this.#current?.closeAfter === false &&
      !exchange.closeAfter
    );
  }

  /** Writes `exchange` behind the one in flight; its answer follows that one's. */
  #writeBehind(exchange: Exchange): void {
    exchange.answered = false;
    // Counts as reused: if the connection dies before its answer, it is sent again.
    exchange.reused = true;
    this.#pipelined = exchange;
    write(this.#socket as Socket, exchange);
  }

  #connect(): Socket {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    this.#socket = socket;
    this.#socketReused = false;
    this.#reuseUntil = Number.POSITIVE_INFINITY;
    // Listeners are tied to this socket: events of a discarded socket are ignored.
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('end', () => this.#onEnd(socket));
    socket.on('error', (error: Error) => this.#onError(socket, error));
    socket.on('close', () => this.#onClose(socket));
    return socket;
  }

  /** Forgets the socket first, so its remaining events are ignored, then destroys it. */
  #discard(socket: Socket): void {
    if (this.#socket === socket) this.#socket = undefined;
    socket.destroy();
  }

  #onData(socket: Socket, chunk: Buffer): void {
    let data = chunk;
    for (;;) {
      if (socket !== this.#socket) return;
      const exchange = this.#current;
      if (exchange === undefined) {
        // Bytes nobody asked for: the connection's framing can no longer be trusted.
        this.#discard(socket);
        return;
      }
      exchange.answered = true;
      let response: TransportResponse | undefined;
      try {
        response = this.#parser.execute(data);
      } catch (error) {
        this.#discard(socket);
        this.#settle(exchange, error, undefined, this.#parser.partial());
        return;
      }
      if (response === undefined) return;
      // With a pipelined request, the bytes after this answer begin the next one.
      const trailing = this.#parser.trailing;
      this.#complete(socket, exchange, response);
      if (trailing === 0) return;
      data = data.subarray(data.length - trailing);
    }
  }

  #onEnd(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#discard(socket);
    const exchange = this.#current;
    if (exchange === undefined) return; // The server closed an idle connection: reconnect next time.
    const response = this.#parser.finish();
    if (response !== undefined) this.#complete(socket, exchange, response);
    else this.#died(exchange, codedError('connection closed before the response was complete', 'ECONNRESET'));
  }

  #onError(socket: Socket, error: Error): void {
    if (socket !== this.#socket) return;
    this.#discard(socket);
    const exchange = this.#current;
    if (exchange !== undefined) this.#died(exchange, error);
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#discard(socket);
    const exchange = this.#current;
    if (exchange !== undefined) {
      this.#died(exchange, codedError('connection closed before the response was complete', 'ECONNRESET'));
    }
  }

  #complete(socket: Socket, exchange: Exchange, response: TransportResponse): void {
    const parser = this.#parser;
    const framed = parser.trailing === 0 || this.#pipelined !== undefined;
    if (parser.keepAlive && framed && !exchange.closeAfter && socket === this.#socket) {
      this.#socketReused = true;
      const keepAlive = response.headers['keep-alive'];
      const timeout = keepAlive === undefined ? null : KEEP_ALIVE_TIMEOUT.exec(keepAlive);
      this.#reuseUntil =
        timeout === null
          ? Number.POSITIVE_INFINITY
          : Date.now() + Number(timeout[1]) * 1_000 - KEEP_ALIVE_MARGIN_MS;
    } else {
      this.#discard(socket);
    }
    this.#settle(exchange, undefined, response);
  }

  /** The connection ended under a request: send it again once if it was unanswered on a reused connection, else fail. */
  #died(exchange: Exchange, error: unknown): void {
    // A pipelined GET went down with the connection unanswered: it is sent again after this one.
    const pipelined = this.#pipelined;
    if (pipelined !== undefined) {
      this.#pipelined = undefined;
      this.#queue.unshift(pipelined);
    }
    if (!exchange.answered && exchange.reused && !exchange.retried) {
      exchange.retried = true;
      this.#current = undefined;
      this.#start(exchange);
      return;
    }
    this.#settle(exchange, error, undefined, exchange.answered ? this.#parser.partial() : undefined);
  }

  #settle(exchange: Exchange, error: unknown, response?: TransportResponse, partial?: PartialResponse): void {
    this.#current = undefined;
    if (response !== undefined) exchange.resolve(response);
    else exchange.reject(TransportError.wrap(exchange.request, error, partial));
    const pipelined = this.#pipelined;
    if (pipelined !== undefined) {
      this.#pipelined = undefined;
      if (this.#socket !== undefined && response !== undefined) {
        // Its bytes are on the wire already: its answer is the next one to parse.
        this.#current = pipelined;
        this.#parser.reset();
        return;
      }
      // The connection was not kept: send it again on a new one.
      this.#queue.unshift(pipelined);
    }
    const next = this.#queue.shift();
    if (next !== undefined) this.#start(next);
    // Idle: let the process exit if nothing else keeps it alive.
    else this.#socket?.unref();
  }
}

/** Puts the request on the wire in as few writes as possible. */
function write(socket: Socket, exchange: Exchange): void {
  const { head, body } = exchange;
  if (body === undefined) {
    socket.write(head, 'latin1');
  } else if (typeof body === 'string') {
    if (exchange.asciiHead) socket.write(head + body, 'utf8');
    else writeTwo(socket, Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8'));
  } else if (body.length <= COPY_BODY_LIMIT) {
    const bytes = Buffer.allocUnsafe(head.length + body.length);
    bytes.write(head, 0, 'latin1');
    body.copy(bytes, head.length);
    socket.write(bytes);
  } else {
    writeTwo(socket, Buffer.from(head, 'latin1'), body);
  }
}

/** Corked writes leave in one writev. */
function writeTwo(socket: Socket, first: Buffer, second: Buffer): void {
  socket.cork();
  socket.write(first);
  socket.write(second);
  socket.uncork();
}
