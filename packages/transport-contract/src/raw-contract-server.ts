import type { Socket } from 'node:net';
import { parseHeaderLines, TcpContractServer } from './tcp-contract-server.js';

/** One request as it arrived at a {@link RawContractServer}. */
export interface RawContractRequest {
  readonly method: string;
  /** The request target exactly as sent (Latin-1 view of its bytes). */
  readonly path: string;
  /** Request line and header lines up to (not including) the blank line, byte for byte (Latin-1). */
  readonly head: string;
  /** Header names lower case; repeated ones joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** 1-based number of the connection it came on. */
  readonly connection: number;
  /** 1-based number of the request on its connection. */
  readonly indexOnConnection: number;
}

/** Answers a request by writing whatever bytes it likes to the socket (or closing it). */
export type RawContractHandler = (request: RawContractRequest, socket: Socket) => void;

/**
 * A TCP server on 127.0.0.1 that reads HTTP/1.1 requests (bodies framed by `Content-Length`) and
 * lets each check answer with raw bytes: header values in any encoding, repeated headers, heads
 * of any size, a kept-alive connection closed at any moment without `Connection: close`. The
 * `node:http` server of {@link ContractServer} cannot misbehave at that level.
 *
 * @example
 * ```ts
 * const server = new RawContractServer((request, socket) => socket.write(rawResponse('{}')));
 * await server.listen();
 * ```
 */
export class RawContractServer extends TcpContractServer {
  /** Every request received, in arrival order. */
  readonly requests: RawContractRequest[] = [];
  readonly #handler: RawContractHandler;

  constructor(handler: RawContractHandler) {
    super();
    this.#handler = handler;
  }

  protected accept(socket: Socket, connection: number): void {
    let buffered = Buffer.alloc(0);
    let count = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const head = buffered.toString('latin1', 0, headEnd);
        const headers = parseHeaderLines(head);
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const body = Buffer.from(buffered.subarray(headEnd + 4, headEnd + 4 + length));
        buffered = buffered.subarray(headEnd + 4 + length);
        const [method = '', path = ''] = (head.split('\r\n', 1)[0] ?? '').split(' ');
        count += 1;
        const request = { method, path, head, headers, body, connection, indexOnConnection: count };
        this.requests.push(request);
        if (socket.destroyed) return;
        this.#handler(request, socket);
      }
    });
  }
}

/**
 * A complete 200 response with a `Content-Length` body and no `Connection` header (so the
 * connection stays open). `headerLines` are raw lines, each ending with CRLF, in any bytes.
 */
export function rawResponse(
  body: string | Buffer = '{"ok":true}',
  headerLines: string | Buffer = '',
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\n', 'latin1'),
    typeof headerLines === 'string' ? Buffer.from(headerLines, 'latin1') : headerLines,
    Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'),
    bytes,
  ]);
}
