import { connect, type Socket } from 'node:net';
import {
  type PartialResponse,
  type StreamingTransportRequest,
  TransportError,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import {
  ASCII_REQUEST_TARGET,
  ASCII_VALUE,
  codedError,
  LATIN1_VALUE,
  REQUEST_TARGET,
  TOKEN,
} from './request-head.js';
import { ResponseParser } from './response-parser.js';

/** Where a {@link SocketRequestStream} connects to, and what it tells the transport. */
export interface SocketRequestStreamTarget {
  readonly host: string;
  readonly port: number;
  /** `Host: <host:port>\r\n`, used unless the request names its own `Host`. */
  readonly hostLine: string;
  /** Called once the stream has settled (answered, failed or aborted). */
  readonly onSettled?: (stream: SocketRequestStream) => void;
}

interface DrainWaiter {
  readonly resolve: () => void;
  readonly reject: (error: TransportError) => void;
}

/**
 * One streamed request on a connection of its own (see `Transport.openStream`): the head leaves at
 * once, each {@link write} is one chunk of HTTP/1.1 chunked encoding, {@link end} writes `0\r\n`,
 * the trailers and the blank line, and the connection is closed once the answer has been read.
 *
 * Backpressure is the socket's: `write` resolves at once while the socket's buffer is below its
 * high-water mark (16 KiB), else on its `drain`; so at most the high-water mark plus one chunk
 * (and its framing) waits in this process. A chunk is sent as given, not copied: it must not be
 * changed until its `write` has resolved.
 *
 * A server may answer before the body has ended (413, 4xx): {@link response} then resolves with
 * that answer, the connection is closed, {@link end} resolves with it too, and a later (or
 * pending) `write` rejects with a `TransportError` coded `ERR_STREAM_ANSWERED` whose `response`
 * holds the answer's status and headers, so a writer stops producing bytes nobody reads.
 *
 * @example
 * ```ts
 * const stream = transport.openStream({ method: 'POST', path, headers });
 * await stream.write(Buffer.from('hello'));
 * const answer = await stream.end();
 * ```
 */
export class SocketRequestStream implements TransportRequestStream {
  /** The answer; rejections are handled here, so leaving it unread is safe. */
  readonly response: Promise<TransportResponse>;
  readonly #request: StreamingTransportRequest;
  readonly #parser = new ResponseParser();
  readonly #drainWaiters: DrainWaiter[] = [];
  readonly #onSettled: ((stream: SocketRequestStream) => void) | undefined;
  #socket: Socket | undefined;
  #ended = false;
  #answer: TransportResponse | undefined;
  #failure: TransportError | undefined;
  #resolve: (response: TransportResponse) => void = () => {};
  #reject: (error: TransportError) => void = () => {};

  /**
   * Connects and writes the head at once. With `refusal` (the transport is closed), it connects to
   * nothing and every call rejects with that error wrapped in a `TransportError`.
   */
  constructor(request: StreamingTransportRequest, target: SocketRequestStreamTarget, refusal?: Error) {
    this.#request = request;
    this.#onSettled = target.onSettled;
    this.response = new Promise<TransportResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to read `response`: a failure also reaches the caller through write and end.
    this.response.catch(() => {});
    let head: Buffer;
    try {
      if (refusal !== undefined) throw refusal;
      head = serialiseHead(request, target.hostLine);
    } catch (error) {
      this.#fail(error);
      return;
    }
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#releaseWaiters());
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error: Error) => this.#fail(error, this.#parser.partial()));
    socket.on('close', () =>
      this.#fail(
        codedError('connection closed before the response was complete', 'ECONNRESET'),
        this.#parser.partial(),
      ),
    );
    socket.write(head);
  }

  /**
   * Sends `chunk` as one chunk; empty chunks are skipped (a zero-size chunk would end the body).
   * Resolves at once while the socket's buffer is below its high-water mark, else once it drained.
   *
   * @throws {@link TransportError} (as a rejection) when the request failed (`code` of the socket
   * error), was aborted, ended (`ERR_STREAM_ENDED`) or answered early (`ERR_STREAM_ANSWERED`).
   */
  write(chunk: Uint8Array): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.#ended) {
      return Promise.reject(
        TransportError.wrap(this.#request, codedError('write after end', 'ERR_STREAM_ENDED')),
      );
    }
    if (chunk.byteLength === 0) return Promise.resolve();
    const socket = this.#socket as Socket;
    // Corked, the size line, the bytes and their CRLF leave in one writev.
    socket.cork();
    socket.write(`${chunk.byteLength.toString(16)}\r\n`, 'latin1');
    socket.write(chunk);
    const more = socket.write('\r\n', 'latin1');
    socket.uncork();
    if (more) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /**
   * Ends the body: `0\r\n`, one line per trailer, `\r\n`; resolves with the answer. After an early
   * answer it resolves with that answer and sends nothing; called again, it returns the same promise.
   *
   * @throws {@link TransportError} (as a rejection) when no answer could be had, or a trailer
   * name or value cannot be sent (`ERR_INVALID_REQUEST`; the body is then cut, not ended).
   */
  end(trailers?: Readonly<Record<string, string>>): Promise<TransportResponse> {
    if (this.#ended || this.#answer !== undefined || this.#failure !== undefined) return this.response;
    let tail: string;
    try {
      tail = serialiseTrailers(trailers);
    } catch (error) {
      this.#fail(error);
      return this.response;
    }
    this.#ended = true;
    (this.#socket as Socket).write(`0\r\n${tail}\r\n`, 'latin1');
    return this.response;
  }

  /**
   * Destroys the connection without the terminating chunk, so the server sees a cut body.
   * {@link response} and pending writes reject with a `TransportError` whose `code` is the
   * reason's `code` when it has one, else `ERR_STREAM_ABORTED`. Does nothing once answered.
   */
  abort(reason?: Error): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    const code = (reason as { code?: unknown } | undefined)?.code;
    this.#fail(
      Object.assign(new Error(reason?.message ?? 'the request stream was aborted', { cause: reason }), {
        code: typeof code === 'string' ? code : 'ERR_STREAM_ABORTED',
      }),
    );
  }

  /**
   * Bytes written to this stream (framing included) that the socket has not yet handed to the
   * kernel: at most its high-water mark plus the last chunk while writers wait for `write`.
   */
  get bufferedBytes(): number {
    return this.#socket?.writableLength ?? 0;
  }

  /** Whether the stream has been answered, has failed or was aborted. */
  get settled(): boolean {
    return this.#answer !== undefined || this.#failure !== undefined;
  }

  /** Why a write cannot be taken now, if it cannot. */
  #refusal(): TransportError | undefined {
    if (this.#failure !== undefined) return this.#failure;
    const answer = this.#answer;
    if (answer === undefined) return undefined;
    const partial: PartialResponse = {
      status: answer.status,
      headComplete: true,
      headers: answer.headers,
      ...(answer.repeated === undefined ? {} : { repeated: answer.repeated }),
    };
    return TransportError.wrap(
      this.#request,
      codedError(`the server answered ${answer.status} before the body ended`, 'ERR_STREAM_ANSWERED'),
      partial,
    );
  }

  #onData(chunk: Buffer): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    let response: TransportResponse | undefined;
    try {
      response = this.#parser.execute(chunk);
    } catch (error) {
      this.#fail(error, this.#parser.partial());
      return;
    }
    if (response !== undefined) this.#answered(response);
  }

  #onEnd(): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    const response = this.#parser.finish();
    if (response !== undefined) this.#answered(response);
    else {
      this.#fail(
        codedError('connection closed before the response was complete', 'ECONNRESET'),
        this.#parser.partial(),
      );
    }
  }

  #answered(response: TransportResponse): void {
    this.#answer = response;
    // The connection carried its one request: close it rather than keep it.
    this.#socket?.destroy();
    this.#resolve(response);
    const refusal = this.#refusal();
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(refusal as TransportError);
    this.#onSettled?.(this);
  }

  #fail(error: unknown, partial?: PartialResponse): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    const failure = TransportError.wrap(this.#request, error, partial);
    this.#failure = failure;
    this.#socket?.destroy();
    this.#reject(failure);
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(failure);
    this.#onSettled?.(this);
  }

  #releaseWaiters(): void {
    for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve();
  }
}

/** The request line and headers of a streamed request, ending with the blank line. */
function serialiseHead(request: StreamingTransportRequest, hostLine: string): Buffer {
  const { path, headers } = request;
  // Typed 'POST', but JavaScript callers may pass anything.
  const method: string = request.method;
  if (!TOKEN.test(method) || method === 'HEAD' || method === 'CONNECT' || method === 'GET')
    throw codedError(
      `invalid method for a streamed request ${JSON.stringify(method)}`,
      'ERR_INVALID_REQUEST',
    );
  if (!ASCII_REQUEST_TARGET.test(path) && !REQUEST_TARGET.test(path))
    throw codedError(`invalid characters in path ${JSON.stringify(path)}`, 'ERR_INVALID_REQUEST');
  let lines = '';
  let hostGiven = false;
  let connectionGiven = false;
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') continue;
    checkField(name, value, 'header');
    const lower = name.toLowerCase();
    // The framing is ours: a length or a second coding would contradict the chunks.
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    if (lower === 'host') hostGiven = true;
    if (lower === 'connection') connectionGiven = true;
    lines += `${name}: ${value}\r\n`;
  }
  // The connection carries this one request (Lambda asks runtimes to close it after the response).
  const connection = connectionGiven ? '' : 'Connection: close\r\n';
  return Buffer.from(
    `${method} ${path} HTTP/1.1\r\n${hostGiven ? '' : hostLine}${lines}Transfer-Encoding: chunked\r\n${connection}\r\n`,
    'latin1',
  );
}

/** One `Name: value\r\n` line per trailer. */
function serialiseTrailers(trailers: Readonly<Record<string, string>> | undefined): string {
  let lines = '';
  for (const [name, value] of Object.entries(trailers ?? {})) {
    if (typeof value !== 'string') continue;
    checkField(name, value, 'trailer');
    lines += `${name}: ${value}\r\n`;
  }
  return lines;
}

function checkField(name: string, value: string, kind: 'header' | 'trailer'): void {
  if (!TOKEN.test(name))
    throw codedError(`invalid ${kind} name ${JSON.stringify(name)}`, 'ERR_INVALID_REQUEST');
  // CR/LF would let a value inject fields; refuse instead of sending.
  if (!ASCII_VALUE.test(value) && !LATIN1_VALUE.test(value))
    throw codedError(`invalid characters in the value of ${kind} ${name}`, 'ERR_INVALID_REQUEST');
}
