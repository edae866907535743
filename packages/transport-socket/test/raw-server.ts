import type { Socket } from 'node:net';
import { type RawContractRequest, RawContractServer, rawResponse } from '@lambda-runtime/transport-contract';

/** One request as it arrived: the head exactly as sent, and the body. */
export type RawRequest = RawContractRequest;

/** Answers a request by writing whatever bytes it likes to the socket. */
export type RawHandler = (request: RawRequest, socket: Socket, server: RawServer) => void;

/**
 * A TCP server on 127.0.0.1 that speaks just enough HTTP/1.1 to read requests (Content-Length
 * bodies only) and lets each test answer with raw bytes: split packets, broken framing, garbage.
 * Reading the requests is transport-contract's {@link RawContractServer}; this adds a handler that
 * can be swapped, the overlap count and {@link waitFor}.
 */
export class RawServer {
  /** Requests that arrived while an earlier one on the same connection was still unanswered. */
  overlapping = 0;
  readonly #unanswered = new WeakMap<Socket, number>();
  readonly #raw = new RawContractServer((request, socket) => this.#receive(request, socket));
  #handler: RawHandler;

  constructor(handler: RawHandler) {
    this.#handler = handler;
  }

  /** Every request received, in arrival order. */
  get requests(): RawRequest[] {
    return this.#raw.requests;
  }

  get connectionCount(): number {
    return this.#raw.connectionCount;
  }

  get origin(): string {
    return this.#raw.origin;
  }

  get openConnectionCount(): number {
    return this.#raw.openConnectionCount;
  }

  set handler(handler: RawHandler) {
    this.#handler = handler;
  }

  async listen(): Promise<void> {
    await this.#raw.listen();
  }

  async close(): Promise<void> {
    await this.#raw.close();
  }

  /** Runs `action` after `ms` unless the server is closed first. */
  later(ms: number, action: () => void): void {
    this.#raw.later(ms, action);
  }

  /** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
  async waitFor(predicate: (server: RawServer) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #receive(request: RawRequest, socket: Socket): void {
    if (!this.#unanswered.has(socket)) {
      const originalWrite = socket.write.bind(socket);
      // Any write counts as (the start of) an answer, which is all the overlap check needs.
      socket.write = ((...args: Parameters<Socket['write']>) => {
        this.#unanswered.set(socket, 0);
        return originalWrite(...args);
      }) as Socket['write'];
    }
    const unanswered = this.#unanswered.get(socket) ?? 0;
    if (unanswered > 0) this.overlapping += 1;
    this.#unanswered.set(socket, unanswered + 1);
    this.#handler(request, socket, this);
  }
}

/** A complete response with a Content-Length body; `extraHeaders` are raw lines, each ending with CRLF. */
export const response = rawResponse;

/** Writes `bytes` in pieces of `size` bytes, each after the previous one was flushed plus a short pause. */
export async function dribble(socket: Socket, bytes: Buffer, size = 1): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i += size) {
    await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + size), () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
