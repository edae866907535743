import { type ClientRequest, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { RuntimeApiPath, RuntimeHeader } from '@lambda-runtime/api';

/** What the runtime side of a streamed `/response` saw. */
export interface UploadAnswer {
  /** The emulator's status, or `undefined` when the connection was cut before an answer. */
  readonly status: number | undefined;
  readonly body: string;
  /** The socket error when the connection was cut. */
  readonly error: Error | undefined;
}

export const STREAMING_HEADERS = {
  [RuntimeHeader.functionResponseMode]: 'streaming',
  'transfer-encoding': 'chunked',
  trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
};

/** The two error trailers of a stream that failed after its first byte (docs/runtime-api.md §7.2). */
export function errorTrailers(errorType: string, errorMessage: string): Record<string, string> {
  const document = { errorType, errorMessage, stackTrace: [`${errorType}: ${errorMessage}`] };
  return {
    'Lambda-Runtime-Function-Error-Type': errorType,
    'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(document)).toString('base64'),
  };
}

/**
 * A fake runtime's streamed `POST /response`, on node:http's ClientRequest (chunked, with
 * trailers): the test writes pieces when it wants, so it can look at the caller side in between.
 */
export class StreamingUpload {
  readonly answer: Promise<UploadAnswer>;
  readonly #request: ClientRequest;
  #ended = false;

  constructor(origin: string, requestId: string, contentType = 'application/octet-stream') {
    this.#request = httpRequest(`${origin}${RuntimeApiPath.response(requestId)}`, {
      method: 'POST',
      agent: false,
      headers: { ...STREAMING_HEADERS, 'content-type': contentType },
    });
    this.#request.flushHeaders();
    this.answer = new Promise((resolve) => {
      this.#request.on('response', (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (text: string) => {
          body += text;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode, body, error: undefined }));
        incoming.on('error', (error) => resolve({ status: incoming.statusCode, body, error }));
      });
      this.#request.on('error', (error) => resolve({ status: undefined, body: '', error }));
    });
  }

  /** True once {@link end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Writes one chunk; resolves once it was handed to the socket (or the socket failed). */
  write(bytes: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      this.#request.write(bytes, () => resolve());
    });
  }

  /** Ends the body (`0\r\n`, then the trailers if any) and resolves with the emulator's answer. */
  end(trailers?: Record<string, string>): Promise<UploadAnswer> {
    this.#ended = true;
    if (trailers !== undefined) this.#request.addTrailers(trailers);
    this.#request.end();
    return this.answer;
  }

  /** Breaks the upload off: the socket is destroyed before the terminating chunk. */
  abort(): Promise<UploadAnswer> {
    this.#ended = true;
    this.#request.destroy();
    return this.answer;
  }
}

/**
 * A streamed `/response` written over a raw socket one byte per write, trailers included: the
 * emulator must reassemble chunks and trailers that arrive split anywhere.
 */
export async function postBytewise(
  port: number,
  requestId: string,
  pieces: readonly string[],
  trailers: Record<string, string>,
  contentType = 'application/octet-stream',
): Promise<string> {
  const head =
    `POST ${RuntimeApiPath.response(requestId)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n` +
    `Connection: close\r\n\r\n`;
  const chunks = pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`).join('');
  const tail = `0\r\n${Object.entries(trailers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  const wire = Buffer.from(head + chunks + tail);
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    answer += text;
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const byte of wire) {
    await new Promise<void>((resolve) => socket.write(Uint8Array.of(byte), () => resolve()));
  }
  await closed;
  return answer;
}
