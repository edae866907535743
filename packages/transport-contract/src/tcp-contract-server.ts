import { createServer, type Server, type Socket } from 'node:net';
import { PendingTimers } from './pending-timers.js';

/**
 * What the byte-level contract servers ({@link RawContractServer}, {@link StreamingContractServer})
 * share: a TCP server on 127.0.0.1 port 0 that counts and tracks its connections, destroys them on
 * close and cancels the actions scheduled with {@link later}. A subclass reads each connection in
 * {@link accept}.
 *
 * @example
 * ```ts
 * class EchoServer extends TcpContractServer {
 *   protected accept(socket: Socket): void {
 *     socket.pipe(socket);
 *   }
 * }
 * ```
 */
export abstract class TcpContractServer {
  readonly #sockets = new Set<Socket>();
  readonly #timers = new PendingTimers();
  readonly #server: Server;
  #connectionCount = 0;

  constructor() {
    this.#server = createServer((socket) => {
      this.#connectionCount += 1;
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      this.accept(socket, this.#connectionCount);
    });
  }

  /** `http://127.0.0.1:<port>`, valid after {@link listen}. */
  get origin(): string {
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** How many TCP connections the server accepted. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** How many accepted connections are still open. */
  get openConnectionCount(): number {
    return this.#sockets.size;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.#timers.cancelAll();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Runs `action` after `ms` unless the server is closed first. */
  later(ms: number, action: () => void): void {
    this.#timers.schedule(ms, action);
  }

  /** Reads the `connection`th accepted connection (1-based). */
  protected abstract accept(socket: Socket, connection: number): void;
}

/** The header lines of a request head (the request line skipped): names lower case, repeated ones joined with `, `. */
export function parseHeaderLines(head: string): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
