import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import { parseHeaderLines, TcpContractServer } from './tcp-contract-server.js';

/** One request as a {@link StreamingContractServer} received it, updated as its bytes arrive. */
export interface StreamedRequest {
  /** 1-based number of the connection it came on (one request per connection is recorded). */
  readonly connection: number;
  readonly socket: Socket;
  /** Request line and header lines up to (not including) the blank line (Latin-1); `undefined` until complete. */
  head: string | undefined;
  /** Header names lower case; repeated ones joined with `, `. */
  headers: Record<string, string>;
  /** Every byte after the head, framing included, as received (kept unless `keepBytes` is off). */
  readonly bodyRaw: Buffer[];
  /** The decoded chunks, in order (kept unless `keepBytes` is off). */
  readonly chunks: Buffer[];
  /** Decoded body bytes received so far. */
  bodyBytes: number;
  /** SHA-256 of the decoded body so far (hex), computed when asked. */
  readonly digest: () => string;
  /** The trailer section after `0\r\n` (lines and final CRLF, Latin-1) once the body is complete. */
  trailerSection: string | undefined;
  /** The terminating chunk and the trailers arrived. */
  complete: boolean;
  /** Why the chunked framing could not be read, if it could not. */
  malformed: string | undefined;
  /** The connection has closed. */
  closed: boolean;
}

/** Options of {@link StreamingContractServer}. */
export interface StreamingContractServerOptions {
  /** Called once a streamed request's head has arrived (e.g. to answer early or stop reading). */
  readonly onHead?: (request: StreamedRequest, server: StreamingContractServer) => void;
  /** Called after each decoded chunk. */
  readonly onChunk?: (request: StreamedRequest, server: StreamingContractServer) => void;
  /** Called once the body is complete; the default answers 202 `{"status":"OK"}`. */
  readonly onComplete?: (request: StreamedRequest, server: StreamingContractServer) => void;
  /** Keep every received byte in `bodyRaw` and `chunks` (default `true`); off for large bodies. */
  readonly keepBytes?: boolean;
}

/** The Runtime API's answer to a complete streamed response. */
export const STREAM_ACCEPTED = Buffer.from(
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}',
  'latin1',
);

/**
 * A TCP server on 127.0.0.1 that reads streamed (chunked) requests byte by byte as they arrive, so
 * checks can see a chunk before the body ends, compare the framing and trailers byte-exact, stop
 * reading to exert backpressure, and answer at any moment. A request with a `Content-Length` (a
 * plain `Transport.request`) is answered 200 `{"ok":true}` on its kept-alive connection, and one
 * to `/hang` not at all.
 *
 * @example
 * ```ts
 * const server = new StreamingContractServer();
 * await server.listen();
 * const stream = transport.openStream({ method: 'POST', path: '/stream' });
 * await stream.write(Buffer.from('hello'));
 * await server.waitFor(() => server.streams[0]?.bodyBytes === 5, 1_000, 'the chunk');
 * ```
 */
export class StreamingContractServer extends TcpContractServer {
  /** Every streamed request, in arrival order. */
  readonly streams: StreamedRequest[] = [];
  /** Paths of the plain (`Content-Length`) requests, with the connection each came on. */
  readonly plainRequests: { readonly path: string; readonly connection: number }[] = [];
  readonly #options: StreamingContractServerOptions;

  constructor(options: StreamingContractServerOptions = {}) {
    super();
    this.#options = options;
  }

  /** Resolves once `predicate` holds, polling every 5 ms; rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  protected accept(socket: Socket, connection: number): void {
    let pending: Buffer = Buffer.alloc(0);
    let stream: StreamedRequest | undefined;
    let hash: Hash | undefined;
    socket.on('close', () => {
      if (stream !== undefined) stream.closed = true;
    });
    socket.on('data', (data: Buffer) => {
      if (stream !== undefined) {
        if (this.#options.keepBytes !== false) stream.bodyRaw.push(data);
        pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
        pending = this.#decode(stream, pending, hash as Hash);
        return;
      }
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const head = pending.toString('latin1', 0, headEnd);
        const headers = parseHeaderLines(head);
        const rest = pending.subarray(headEnd + 4);
        const [, path = ''] = head.slice(0, head.indexOf('\r\n')).split(' ');
        if (headers['transfer-encoding'] === undefined) {
          // A plain request on the kept-alive connection.
          const length = Number(headers['content-length'] ?? 0);
          if (rest.length < length) return;
          pending = rest.subarray(length);
          this.plainRequests.push({ path, connection });
          if (path !== '/hang') {
            socket.write(
              'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}',
            );
          }
          continue;
        }
        const digest = createHash('sha256');
        hash = digest;
        let digested: string | undefined;
        stream = {
          connection,
          socket,
          head,
          headers,
          bodyRaw: [],
          chunks: [],
          bodyBytes: 0,
          digest: () => {
            digested ??= digest.digest('hex');
            return digested;
          },
          trailerSection: undefined,
          complete: false,
          malformed: undefined,
          closed: false,
        };
        this.streams.push(stream);
        if (this.#options.keepBytes !== false && rest.length > 0) stream.bodyRaw.push(Buffer.from(rest));
        this.#options.onHead?.(stream, this);
        pending = this.#decode(stream, Buffer.from(rest), digest);
        return;
      }
    });
  }

  /** Reads whole chunks off `pending`; returns what is left for the next bytes. */
  #decode(stream: StreamedRequest, bytes: Buffer, hash: Hash): Buffer {
    let pending = bytes;
    while (!stream.complete && stream.malformed === undefined) {
      const lineEnd = pending.indexOf('\r\n');
      if (lineEnd === -1) return pending;
      const sizeLine = pending.toString('latin1', 0, lineEnd);
      if (!/^[0-9a-fA-F]{1,12}$/.test(sizeLine)) {
        stream.malformed = `invalid chunk size line ${JSON.stringify(sizeLine)}`;
        return pending;
      }
      const size = Number.parseInt(sizeLine, 16);
      if (size === 0) {
        const rest = pending.subarray(lineEnd + 2);
        const end = rest.subarray(0, 2).toString('latin1') === '\r\n' ? 0 : rest.indexOf('\r\n\r\n');
        if (end === -1 || rest.length < 2) return pending;
        const sectionEnd = end === 0 ? 2 : end + 4;
        stream.trailerSection = rest.toString('latin1', 0, sectionEnd);
        stream.complete = true;
        if (rest.length > sectionEnd) stream.malformed = 'bytes after the terminating chunk';
        (this.#options.onComplete ?? answerAccepted)(stream, this);
        return Buffer.alloc(0);
      }
      if (pending.length < lineEnd + 2 + size + 2) return pending;
      const data = pending.subarray(lineEnd + 2, lineEnd + 2 + size);
      if (pending.toString('latin1', lineEnd + 2 + size, lineEnd + 4 + size) !== '\r\n') {
        stream.malformed = 'chunk data not followed by CRLF';
        return pending;
      }
      if (this.#options.keepBytes !== false) stream.chunks.push(Buffer.from(data));
      hash.update(data);
      stream.bodyBytes += size;
      pending = pending.subarray(lineEnd + 4 + size);
      this.#options.onChunk?.(stream, this);
    }
    return pending;
  }
}

function answerAccepted(stream: StreamedRequest): void {
  if (!stream.socket.destroyed) stream.socket.write(STREAM_ACCEPTED);
}
