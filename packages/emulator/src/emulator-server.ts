import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serializePerConnection } from './serialize-per-connection.js';

/** Idle time a kept-alive runtime connection may sit between requests. */
const KEEP_ALIVE_TIMEOUT_MS = 60 * 60 * 1000;

/**
 * The emulator's one `node:http` server: timeouts fit for long polls, the requests of a connection
 * handled one at a time, and a listener that can stop and later listen again on the same address.
 */
export class EmulatorServer {
  /** The underlying server. */
  readonly server: Server;
  #host = '127.0.0.1';
  #port = 0;

  constructor(handler: (request: IncomingMessage, response: ServerResponse) => void) {
    const server = createServer();
    // A parked /next may legitimately wait for hours: no request timeout, long keep-alive.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.timeout = 0;
    // One request at a time per connection, like Lambda's server, even when a client pipelines.
    server.on('request', serializePerConnection(handler));
    this.server = server;
  }

  /** `host:port` (an IPv6 host in brackets), readable while the listener is stopped. */
  get runtimeApi(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Listens and remembers the address actually bound (port 0 picks one). */
  async listen(port: number, host: string): Promise<void> {
    await listen(this.server, port, host);
    const address = this.server.address() as AddressInfo;
    this.#port = address.port;
    this.#host = address.address;
  }

  /** See {@link RuntimeApiEmulator.stopListening}. */
  async stopListening(): Promise<void> {
    if (this.server.listening) await this.close();
  }

  /** Listens again on the address of the first {@link listen}; no-op when listening. */
  async resumeListening(): Promise<void> {
    if (this.server.listening) return;
    await listen(this.server, this.#port, this.#host);
  }

  /** Stops listening and destroys every open connection; resolves once the listener is closed. */
  close(): Promise<void> {
    return new Promise<void>((resolveClose) => {
      this.server.close(() => resolveClose());
      this.server.closeAllConnections();
    });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}
