/**
 * The server's bytes are not a well-formed HTTP/1.1 response (bad status line, header, chunk
 * framing or length). {@link SocketTransport} discards the connection and rejects with a
 * `TransportError` whose `cause` is this error and whose `code` is `ERR_MALFORMED_RESPONSE`.
 *
 * @example
 * ```ts
 * try { await transport.request({ method: 'GET', path: '/next' }); }
 * catch (error) { if (error instanceof TransportError && error.cause instanceof MalformedResponseError) throw error; }
 * ```
 */
export class MalformedResponseError extends Error {
  readonly code = 'ERR_MALFORMED_RESPONSE';

  constructor(message: string) {
    super(`malformed HTTP response: ${message}`);
    this.name = 'MalformedResponseError';
  }
}
