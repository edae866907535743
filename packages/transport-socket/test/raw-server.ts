import { createServer, type Server, type Socket } from 'node:net';

/** One request as it arrived: the head exactly as sent, and the body. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** Status line and header lines up to (not including) the blank line, byte for byte (latin1). */
  readonly head: string;
  /** Header names lower case; repeated ones joined with `, `. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** 1-based number of the connection it came on. */
  readonly connection: number;
  /** 1-based number of the request on its connection. */
  readonly indexOnConnection: number;
}

/** Answers a request by writing whatever bytes it likes to the socket. */
export type RawHandler = (request: RawRequest, socket: Socket, server: RawServer) => void;

/**
 * A TCP server on 127.0.0.1 that speaks just enough HTTP/1.1 to read requests (Content-Length
 * bodies only) and lets each test answer with raw bytes: split packets, broken framing, garbage.
 */
export class RawServer {
  readonly requests: RawRequest[] = [];
  connectionCount = 0;
  /** Requests that arrived while an earlier one on the same connection was still unanswered. */
  overlapping = 0;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #server: Server;
  #handler: RawHandler;

  constructor(handler: RawHandler) {
    this.#handler = handler;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  get origin(): string {
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  get openConnectionCount(): number {
    return this.#sockets.size;
  }

  set handler(handler: RawHandler) {
    this.#handler = handler;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Runs `action` after `ms` unless the server is closed first. */
  later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  /** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
  async waitFor(predicate: (server: RawServer) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #accept(socket: Socket): void {
    this.connectionCount += 1;
    const connection = this.connectionCount;
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let count = 0;
    let unanswered = 0;
    const originalWrite = socket.write.bind(socket);
    // Any write counts as (the start of) an answer, which is all the overlap check needs.
    socket.write = ((...args: Parameters<Socket['write']>) => {
      unanswered = 0;
      return originalWrite(...args);
    }) as Socket['write'];
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
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
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const body = buffered.subarray(headEnd + 4, headEnd + 4 + length);
        buffered = buffered.subarray(headEnd + 4 + length);
        const [method = '', path = ''] = requestLine.split(' ');
        count += 1;
        if (unanswered > 0) this.overlapping += 1;
        unanswered += 1;
        const request = { method, path, head, headers, body, connection, indexOnConnection: count };
        this.requests.push(request);
        this.#handler(request, socket, this);
      }
    });
  }
}

/** A complete response with a Content-Length body. */
export function response(body: string | Buffer = '{"ok":true}', extraHeaders = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\n${extraHeaders}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'),
    bytes,
  ]);
}

/** Writes `bytes` in pieces of `size` bytes, each after the previous one was flushed plus a short pause. */
export async function dribble(socket: Socket, bytes: Buffer, size = 1): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i += size) {
    await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + size), () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
