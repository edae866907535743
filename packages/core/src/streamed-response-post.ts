import {
  type ErrorDocument,
  MAX_RESPONSE_BYTES,
  ResponseSizeTooLargeError,
  StreamedResponseSizeTooLargeError,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import type { PostResult } from './runtime-api-client.js';

/**
 * One streamed answer to `/runtime/invocation/{id}/response`, opened by
 * `RuntimeApiClient.openResponseStream`: bytes in, then either `end()` or `fail(document)`.
 * Every Runtime API rule (headers, trailers, status policy) stays in the client that made it.
 *
 * @example
 * ```ts
 * const post = client.openResponseStream(requestId, 'text/plain');
 * await post.write(bytes);
 * const { status } = await post.end(); // 202
 * ```
 */
export interface StreamedResponsePost {
  /** `true` when bytes leave as written; `false` for the buffered fallback (see the client). */
  readonly streams: boolean;
  /** The most bytes this post can carry. */
  readonly maxBytes: number;
  /** The error for a response that grew past {@link maxBytes}. */
  tooLarge(size: number): Error;
  /** Sends bytes; resolves when more may follow (backpressure). Rejects when the post broke. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the response; resolves with the status once the Runtime API answered. */
  end(): Promise<PostResult>;
  /** Ends the response as failed with `document` (already redacted and bounded by the client). */
  fail(document: ErrorDocument): Promise<PostResult>;
  /** Settles with the Runtime API's answer whenever it arrives, possibly before the end (a 4xx). */
  readonly answered: Promise<PostResult>;
}

/** Maps a Runtime API answer to a {@link PostResult} under the client's status policy (throws on 5xx). */
export type PostResultOf = (response: TransportResponse) => PostResult;

/** A streamed post over a transport's `openStream`. */
export class TransportStreamedPost implements StreamedResponsePost {
  readonly streams = true;
  readonly maxBytes: number;
  readonly answered: Promise<PostResult>;
  readonly #stream: TransportRequestStream;
  readonly #resultOf: PostResultOf;
  readonly #trailersOf: (document: ErrorDocument) => Record<string, string>;

  constructor(
    stream: TransportRequestStream,
    options: {
      maxBytes: number;
      resultOf: PostResultOf;
      trailersOf: (document: ErrorDocument) => Record<string, string>;
    },
  ) {
    this.#stream = stream;
    this.maxBytes = options.maxBytes;
    this.#resultOf = options.resultOf;
    this.#trailersOf = options.trailersOf;
    this.answered = stream.response.then(this.#resultOf);
    // Read by whoever cares; never an unhandled rejection.
    this.answered.catch(noop);
  }

  tooLarge(size: number): Error {
    return new StreamedResponseSizeTooLargeError(
      `Response payload size exceeded maximum allowed payload size (${this.maxBytes} bytes): the stream was cut after ${size} bytes.`,
    );
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#stream.write(chunk);
  }

  async end(): Promise<PostResult> {
    return this.#resultOf(await this.#stream.end());
  }

  async fail(document: ErrorDocument): Promise<PostResult> {
    return this.#resultOf(await this.#stream.end(this.#trailersOf(document)));
  }
}

/**
 * The fallback when the transport cannot stream (no `openStream`): the bytes are collected, up to
 * the buffered limit (6 MiB + 100 bytes), and posted as one buffered `/response` with the stream's
 * content type; a failure goes to `/error`, since nothing has left yet.
 */
export class BufferedFallbackPost implements StreamedResponsePost {
  readonly streams = false;
  readonly maxBytes: number;
  readonly answered: Promise<PostResult>;
  #settle: ((result: Promise<PostResult>) => void) | undefined;
  readonly #chunks: Uint8Array[] = [];
  readonly #respond: (body: Uint8Array) => Promise<PostResult>;
  readonly #failWith: (document: ErrorDocument) => Promise<PostResult>;

  constructor(options: {
    maxBytes: number;
    respond: (body: Uint8Array) => Promise<PostResult>;
    fail: (document: ErrorDocument) => Promise<PostResult>;
  }) {
    this.maxBytes = Math.min(options.maxBytes, MAX_RESPONSE_BYTES);
    this.#respond = options.respond;
    this.#failWith = options.fail;
    this.answered = new Promise<PostResult>((resolve) => {
      this.#settle = resolve;
    });
    this.answered.catch(noop);
  }

  tooLarge(size: number): Error {
    return new ResponseSizeTooLargeError(
      `Response payload size (at least ${size} bytes) exceeded maximum allowed payload size (${this.maxBytes} bytes); the transport cannot stream, so the response is buffered.`,
    );
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#chunks.push(chunk);
  }

  end(): Promise<PostResult> {
    return this.#answer(this.#respond(Buffer.concat(this.#chunks)));
  }

  fail(document: ErrorDocument): Promise<PostResult> {
    return this.#answer(this.#failWith(document));
  }

  #answer(posting: Promise<PostResult>): Promise<PostResult> {
    this.#chunks.length = 0;
    this.#settle?.(posting);
    this.#settle = undefined;
    return posting;
  }
}

function noop(): void {}
