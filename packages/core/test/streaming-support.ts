import { request as httpRequest } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import {
  type StreamingTransportRequest,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';

/**
 * A transport for the streaming tests: `request()` by the given transport, `openStream()` over
 * `node:http` (a `ClientRequest` of its own connection, chunked, trailers by `addTrailers`), as the
 * transport contract describes it. Until the transports stream themselves, this is what core's
 * streaming path is checked against.
 */
export class NodeHttpStreamTransport implements Transport {
  readonly pipelining: boolean | undefined;
  readonly #inner: Transport;
  readonly #origin: URL;

  constructor(inner: Transport, origin: string) {
    this.#inner = inner;
    this.#origin = new URL(origin);
    this.pipelining = inner.pipelining;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    return this.#inner.request(request);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  openStream(request: StreamingTransportRequest): TransportRequestStream {
    const req = httpRequest({
      host: this.#origin.hostname,
      port: this.#origin.port,
      method: request.method,
      path: request.path,
      headers: { ...request.headers, 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const fail = (error: unknown): TransportError => TransportError.wrap(request, error);
    const response = new Promise<TransportResponse>((resolve, reject) => {
      req.on('error', (error) => reject(fail(error)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(fail(error)));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
          req.destroy();
        });
      });
    });
    response.catch(() => undefined);
    req.flushHeaders();
    return {
      response,
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (chunk.byteLength === 0) {
            resolve();
            return;
          }
          if (req.destroyed) {
            reject(fail(new Error('the request is closed')));
            return;
          }
          const onError = (error: Error): void => reject(fail(error));
          req.once('error', onError);
          const drained = (): void => {
            req.off('error', onError);
            resolve();
          };
          if (req.write(chunk)) drained();
          else req.once('drain', drained);
        }),
      end: (trailers) => {
        if (trailers !== undefined) req.addTrailers(trailers);
        req.end();
        return response;
      },
      abort: (reason) => {
        req.destroy(reason);
      },
    };
  }
}

/** One request as the {@link StreamingApiServer} read it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Request line and header lines, byte for byte (Latin-1), without the blank line. */
  readonly head: string;
  /** Names lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes: decoded from the chunks for a chunked request. */
  body: Buffer;
  /** For a chunked request: everything after the head, byte for byte (sizes, CRLFs, trailers). */
  raw: Buffer;
  /** For a chunked request: each chunk's data, in order. */
  readonly chunks: Buffer[];
  /** For a chunked request: the trailers, names lower case. */
  readonly trailers: Record<string, string>;
  /** Whether the whole request (terminating chunk and trailers included) has arrived. */
  complete: boolean;
}

interface Parked {
  readonly socket: Socket;
}

/** An invocation the server hands out on `/next`. */
export interface QueuedInvocation {
  readonly requestId: string;
  readonly body?: string;
}

/**
 * A Runtime API fake that reads bytes itself (node:net), so a test sees a streamed `/response`
 * as it arrives: the head before any body byte, each chunk, the terminator and the trailers. It
 * hands out queued invocations on `/next` (parking the poll while none is queued), answers each
 * complete post with 202 (or what `answerWith` says), and can stop reading a stream (`pauseStreams`)
 * to play a slow reader.
 */
export class StreamingApiServer {
  readonly requests: ReceivedRequest[] = [];
  /** Override the answer to a complete post: status and JSON body. */
  answerWith: (request: ReceivedRequest) => { status: number; body?: string } = () => ({
    status: 202,
    body: '{"status":"OK"}',
  });
  /** Called for each piece of a chunked body as it arrives (after `requests` is updated). */
  onBodyProgress: ((request: ReceivedRequest, socket: Socket) => void) | undefined;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #queue: QueuedInvocation[] = [];
  readonly #parked: Parked[] = [];
  readonly #waiters: Array<() => void> = [];
  #pausedStreams = false;
  readonly #streamSockets = new Set<Socket>();

  constructor() {
    this.#server = createServer((socket) => this.#accept(socket));
  }

  get origin(): string {
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** `host:port`, as `AWS_LAMBDA_RUNTIME_API` holds it. */
  get runtimeApi(): string {
    return this.origin.slice('http://'.length);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Queues an invocation for `/next`. */
  enqueue(invocation: QueuedInvocation): void {
    const parked = this.#parked.shift();
    if (parked !== undefined) this.#deliver(parked.socket, invocation);
    else this.#queue.push(invocation);
  }

  /** The posts to `/response` or `/error` of one request id. */
  answers(requestId: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.includes(`/invocation/${requestId}/`));
  }

  /** Resolves once `predicate` holds (checked on every arrival). */
  waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  /** Stops (or resumes) reading the bodies of streamed requests: a slow reader. */
  pauseStreams(paused: boolean): void {
    this.#pausedStreams = paused;
    for (const socket of this.#streamSockets) {
      if (paused) socket.pause();
      else socket.resume();
    }
  }

  #notify(): void {
    const waiters = this.#waiters.splice(0);
    for (const waiter of waiters) waiter();
  }

  #deliver(socket: Socket, invocation: QueuedInvocation): void {
    const body = Buffer.from(invocation.body ?? '{}');
    const deadline = Date.now() + 600_000;
    socket.write(
      Buffer.concat([
        Buffer.from(
          'HTTP/1.1 200 OK\r\n' +
            `Lambda-Runtime-Aws-Request-Id: ${invocation.requestId}\r\n` +
            `Lambda-Runtime-Deadline-Ms: ${deadline}\r\n` +
            'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:111122223333:function:streaming\r\n' +
            'Content-Type: application/json\r\n' +
            `Content-Length: ${body.length}\r\n\r\n`,
          'latin1',
        ),
        body,
      ]),
    );
  }

  #answer(socket: Socket, request: ReceivedRequest): void {
    const { status, body = '' } = this.answerWith(request);
    const bytes = Buffer.from(body);
    socket.write(
      `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n${body}`,
    );
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      this.#streamSockets.delete(socket);
    });
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    // The chunked request being read on this connection, and where its parser stands.
    let current: ReceivedRequest | undefined;
    let chunkLeft = -1; // -1: expecting a size line; >= 0: data bytes left, then CRLF
    let inTrailers = false;

    const readChunked = (): boolean => {
      const request = current as ReceivedRequest;
      for (;;) {
        if (inTrailers) {
          const lineEnd = buffered.indexOf('\r\n');
          if (lineEnd === -1) return false;
          const line = buffered.toString('latin1', 0, lineEnd);
          request.raw = Buffer.concat([request.raw, buffered.subarray(0, lineEnd + 2)]);
          buffered = buffered.subarray(lineEnd + 2);
          if (line === '') {
            request.complete = true;
            return true;
          }
          const colon = line.indexOf(':');
          request.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          continue;
        }
        if (chunkLeft === -1) {
          const lineEnd = buffered.indexOf('\r\n');
          if (lineEnd === -1) return false;
          const size = Number.parseInt(buffered.toString('latin1', 0, lineEnd), 16);
          request.raw = Buffer.concat([request.raw, buffered.subarray(0, lineEnd + 2)]);
          buffered = buffered.subarray(lineEnd + 2);
          if (size === 0) {
            inTrailers = true;
            continue;
          }
          chunkLeft = size;
          request.chunks.push(Buffer.alloc(0));
          continue;
        }
        if (chunkLeft > 0) {
          if (buffered.length === 0) return false;
          const take = buffered.subarray(0, Math.min(chunkLeft, buffered.length));
          buffered = buffered.subarray(take.length);
          chunkLeft -= take.length;
          request.raw = Buffer.concat([request.raw, take]);
          request.body = Buffer.concat([request.body, take]);
          const last = request.chunks.length - 1;
          request.chunks[last] = Buffer.concat([request.chunks[last] as Buffer, take]);
          this.onBodyProgress?.(request, socket);
          this.#notify();
          continue;
        }
        if (buffered.length < 2) return false;
        request.raw = Buffer.concat([request.raw, buffered.subarray(0, 2)]);
        buffered = buffered.subarray(2);
        chunkLeft = -1;
      }
    };

    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        if (current !== undefined) {
          if (!readChunked()) {
            this.#notify();
            return;
          }
          const done = current;
          current = undefined;
          this.#notify();
          this.#answer(socket, done);
          continue;
        }
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const head = buffered.toString('latin1', 0, headEnd);
        const [requestLine = '', ...lines] = head.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
        }
        const [method = '', path = ''] = requestLine.split(' ');
        const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
        const length = Number(headers['content-length'] ?? 0);
        if (!chunked && buffered.length < headEnd + 4 + length) return;
        const request: ReceivedRequest = {
          method,
          path,
          head,
          headers,
          body: chunked ? Buffer.alloc(0) : Buffer.from(buffered.subarray(headEnd + 4, headEnd + 4 + length)),
          raw: Buffer.alloc(0),
          chunks: [],
          trailers: {},
          complete: !chunked,
        };
        buffered = buffered.subarray(headEnd + 4 + (chunked ? 0 : length));
        this.requests.push(request);
        if (chunked) {
          current = request;
          chunkLeft = -1;
          inTrailers = false;
          this.#streamSockets.add(socket);
          if (this.#pausedStreams) socket.pause();
          this.#notify();
          continue;
        }
        this.#notify();
        if (method === 'GET' && path.endsWith('/invocation/next')) {
          const invocation = this.#queue.shift();
          if (invocation === undefined) this.#parked.push({ socket });
          else this.#deliver(socket, invocation);
          continue;
        }
        this.#answer(socket, request);
      }
    });
  }
}
