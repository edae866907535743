import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PendingTimers } from './pending-timers.js';

/** One request as the server received it: the raw request target, headers and body bytes. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target exactly as it arrived on the wire (never decoded or normalised). */
  readonly url: string;
  /** Header names lower case (Node's view). */
  readonly headers: IncomingHttpHeaders;
  /** Alternating names and values, names in the case the client sent them. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** Answers one recorded request; the default is {@link contractRoutes}. */
export type ContractRequestHandler = (
  request: RecordedRequest,
  response: ServerResponse,
  server: ContractServer,
) => void;

/** Options of {@link ContractServer}. */
export interface ContractServerOptions {
  /**
   * Node's `server.keepAliveTimeout`, announced to clients as `Keep-Alive: timeout=<s>`.
   * Default 5_000 (Node's own default). `0` disables both the announcement and the idle close.
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Closes a connection that stayed idle this long after a response, without announcing it
   * (like a Go server's `IdleTimeout`). Off by default.
   */
  readonly idleCloseMs?: number;
  /** How the unannounced idle close ends the socket: a FIN (`'end'`, default) or a RST (`'reset'`). */
  readonly idleCloseMode?: 'end' | 'reset';
  readonly handler?: ContractRequestHandler;
}

/** Size of the response announced by `/reset/mid-response`, of which only a part is sent. */
const MID_RESPONSE_ANNOUNCED_BYTES = 1024;

/**
 * The built-in routes of {@link ContractServer}:
 * - `/echo...` answers 200 with the request body and content type;
 * - `/status/<code>` answers that status with a small JSON body (none for 204);
 * - `/delay/<ms>` answers 200 `late` after `ms` milliseconds;
 * - `/headers` answers with header names in mixed case, a repeated header and an empty value;
 * - `/reset/mid-response` sends the head and part of the body, then destroys the socket;
 * - `/reset/before-response` resets the socket without answering;
 * - `/hang` never answers;
 * - anything else answers 200 `{"ok":true}`.
 */
export function contractRoutes(
  request: RecordedRequest,
  response: ServerResponse,
  server: ContractServer,
): void {
  const path = request.url;
  if (path.startsWith('/echo')) {
    response.writeHead(200, {
      'content-type': request.headers['content-type'] ?? 'application/octet-stream',
      'content-length': request.body.byteLength,
    });
    response.end(request.body);
    return;
  }
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status?.[1] !== undefined) {
    const code = Number(status[1]);
    if (code === 204) {
      response.writeHead(204);
      response.end();
      return;
    }
    const body = Buffer.from(statusBody(code));
    response.writeHead(code, { 'content-type': 'application/json', 'content-length': body.byteLength });
    response.end(body);
    return;
  }
  const delay = /^\/delay\/(\d+)$/.exec(path);
  if (delay?.[1] !== undefined) {
    server.schedule(Number(delay[1]), () => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 });
      response.end('late');
    });
    return;
  }
  switch (path) {
    case '/headers':
      response.setHeader('X-UPPER-CASE', 'Upper Value');
      response.setHeader('x-lower-case', 'lower value');
      response.setHeader('X-Mixed-Case', 'a=b; c="d, e";  f');
      response.setHeader('X-Repeated', ['one', 'two', 'three']);
      response.setHeader('Lambda-Runtime-Aws-Request-Id', '8476a536-e9f4-11e8-9739-2dfe598c3fcd');
      response.setHeader('Lambda-Runtime-Deadline-Ms', '1700000000000');
      response.setHeader('Lambda-Runtime-Client-Context', '');
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.setHeader('Content-Length', 2);
      response.end('{}');
      return;
    case '/reset/mid-response':
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': MID_RESPONSE_ANNOUNCED_BYTES,
      });
      response.write(Buffer.alloc(16, 0x61), () => response.socket?.destroy());
      return;
    case '/reset/before-response':
      response.socket?.resetAndDestroy();
      return;
    case '/hang':
      return;
    default:
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      response.end('{"ok":true}');
  }
}

/** The body `/status/<code>` answers with (empty for 204). */
export function statusBody(code: number): string {
  return code === 204 ? '' : JSON.stringify({ errorType: `Status${code}`, errorMessage: `status ${code}` });
}

/**
 * A real `node:http` server on 127.0.0.1 for transport tests. It records every request byte for
 * byte and counts connections, so tests can assert reuse, paths and bodies.
 *
 * @example
 * ```ts
 * const server = new ContractServer();
 * await server.listen();
 * const transport = new UndiciTransport({ origin: server.origin });
 * await transport.request({ method: 'GET', path: '/status/204' });
 * expect(server.connectionCount).toBe(1);
 * await transport.close();
 * await server.close();
 * ```
 */
export class ContractServer {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  #connectionCount = 0;
  readonly #sockets = new Set<Socket>();
  readonly #idleTimers = new Map<Socket, NodeJS.Timeout>();
  readonly #timers = new PendingTimers();
  readonly #options: ContractServerOptions;
  #server: Server | undefined;
  #port = 0;

  constructor(options: ContractServerOptions = {}) {
    this.#options = options;
  }

  /** `http://127.0.0.1:<port>`, valid after {@link listen}. */
  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** How many TCP connections the server accepted since it was created. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** How many accepted connections are still open. */
  get openConnectionCount(): number {
    return this.#sockets.size;
  }

  /** Starts listening on 127.0.0.1, on `port` or (default) on a free port chosen by the system. */
  async listen(port = 0): Promise<void> {
    const server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const request: RecordedRequest = {
          method: incoming.method ?? '',
          url: incoming.url ?? '',
          headers: incoming.headers,
          rawHeaders: incoming.rawHeaders,
          body: Buffer.concat(chunks),
        };
        this.requests.push(request);
        response.on('finish', () => this.#armIdleClose(incoming.socket));
        (this.#options.handler ?? contractRoutes)(request, response, this);
      });
    });
    // A long poll may last as long as the test wants; Node's request timeouts must not end it.
    server.requestTimeout = 0;
    server.keepAliveTimeout = this.#options.keepAliveTimeoutMs ?? 5_000;
    server.on('connection', (socket: Socket) => {
      this.#connectionCount += 1;
      this.#sockets.add(socket);
      socket.on('data', () => this.#disarmIdleClose(socket));
      socket.on('close', () => {
        this.#disarmIdleClose(socket);
        this.#sockets.delete(socket);
      });
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#server = server;
  }

  /** Stops listening and destroys every connection and pending answer. The port can be reused by {@link listen}. */
  async close(): Promise<void> {
    this.#timers.cancelAll();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Runs `action` after `ms` unless the server is closed first. */
  schedule(ms: number, action: () => void): void {
    this.#timers.schedule(ms, action);
  }

  /** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
  async waitFor(
    predicate: (server: ContractServer) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #armIdleClose(socket: Socket): void {
    const idleCloseMs = this.#options.idleCloseMs;
    if (idleCloseMs === undefined || socket.destroyed) return;
    this.#disarmIdleClose(socket);
    const timer = setTimeout(() => {
      this.#idleTimers.delete(socket);
      if (this.#options.idleCloseMode === 'reset') socket.resetAndDestroy();
      else socket.end();
    }, idleCloseMs);
    this.#idleTimers.set(socket, timer);
  }

  #disarmIdleClose(socket: Socket): void {
    const timer = this.#idleTimers.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#idleTimers.delete(socket);
  }
}
