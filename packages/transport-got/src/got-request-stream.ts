import { type ClientRequest, validateHeaderName, validateHeaderValue } from 'node:http';
import {
  decodeHeaderValue,
  type PartialResponse,
  ResponseHeaderCollector,
  type StreamingTransportRequest,
  TransportError,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import type { Request as GotRequest, Response as GotResponse } from 'got';

interface DrainWaiter {
  readonly resolve: () => void;
  readonly reject: (error: TransportError) => void;
}

/**
 * One streamed request through got's stream API (`got.stream`, a Duplex): each `write` is one
 * write to got's stream, which hands it to the `http.ClientRequest` below as one HTTP/1.1 chunk;
 * `end(trailers)` gives the trailers to that `ClientRequest` (`addTrailers`) and ends got's stream,
 * so Node writes `0\r\n`, the trailers and `\r\n`. {@link GotTransport.openStream} builds it on a
 * connection of its own.
 *
 * Backpressure is got's stream's: a write resolves at once while its buffer is below the 16 KiB
 * high-water mark, else on `drain`, and got only takes the next chunk once Node has handed the
 * previous one to the socket. A chunk is not copied: it must not be changed after the call.
 *
 * An answer that arrives before the body has ended (413) resolves {@link response} and `end()`;
 * later writes reject with a `TransportError` coded `ERR_STREAM_ANSWERED`.
 *
 * @example
 * ```ts
 * const stream = transport.openStream({ method: 'POST', path, headers });
 * await stream.write(Buffer.from('hello'));
 * const answer = await stream.end();
 * ```
 */
export class GotRequestStream implements TransportRequestStream {
  /** The answer; rejections are handled here, so leaving it unread is safe. */
  readonly response: Promise<TransportResponse>;
  readonly #request: StreamingTransportRequest;
  readonly #drainWaiters: DrainWaiter[] = [];
  readonly #onSettled: (stream: GotRequestStream) => void;
  #duplex: GotRequest | undefined;
  #outgoing: ClientRequest | undefined;
  #trailers: Readonly<Record<string, string>> | undefined;
  #ended = false;
  #partial: PartialResponse | undefined;
  #answer: TransportResponse | undefined;
  #failure: TransportError | undefined;
  #resolve: (response: TransportResponse) => void = () => {};
  #reject: (error: TransportError) => void = () => {};

  /**
   * @param start - Starts got's stream, calling `onRequest` with the `ClientRequest` once got created it.
   * @param refusal - When given (the transport is closed), nothing starts and every call rejects with it.
   */
  constructor(
    request: StreamingTransportRequest,
    start: (onRequest: (outgoing: ClientRequest) => void) => GotRequest,
    onSettled: (stream: GotRequestStream) => void,
    refusal?: Error,
  ) {
    this.#request = request;
    this.#onSettled = onSettled;
    this.response = new Promise<TransportResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to read `response`: a failure also reaches the caller through write and end.
    this.response.catch(() => {});
    if (refusal !== undefined) {
      this.#fail(refusal);
      return;
    }
    let duplex: GotRequest;
    try {
      duplex = start((outgoing) => this.#onRequest(outgoing));
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#duplex = duplex;
    duplex.on('response', (response: GotResponse) => this.#onResponse(response));
    duplex.on('data', (chunk: Buffer) => this.#body.push(chunk));
    duplex.on('end', () => this.#onEnd());
    duplex.on('drain', () => {
      for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve();
    });
    duplex.on('error', (error: Error) => this.#fail(error));
    duplex.on('close', () =>
      this.#fail(
        Object.assign(new Error('connection closed before the response was complete'), {
          code: 'ECONNRESET',
        }),
      ),
    );
  }

  readonly #body: Buffer[] = [];

  /** Whether the stream has been answered, has failed or was aborted. */
  get settled(): boolean {
    return this.#answer !== undefined || this.#failure !== undefined;
  }

  /**
   * Sends `chunk` as one chunk; empty chunks are skipped. Resolves at once while got's stream is
   * below its high-water mark, else once it drained.
   *
   * @throws {@link TransportError} (as a rejection) when the request failed, was aborted, ended
   * (`ERR_STREAM_ENDED`) or answered early (`ERR_STREAM_ANSWERED`).
   */
  write(chunk: Uint8Array): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.#ended) {
      return Promise.reject(TransportError.wrap(this.#request, coded('write after end', 'ERR_STREAM_ENDED')));
    }
    if (chunk.byteLength === 0) return Promise.resolve();
    if ((this.#duplex as GotRequest).write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /**
   * Ends the body with the trailers and resolves with the answer (at once with an early answer).
   *
   * @throws {@link TransportError} (as a rejection) when no answer could be had, or a trailer name
   * or value cannot be sent (`ERR_INVALID_REQUEST`; the body is then cut, not ended).
   */
  end(trailers?: Readonly<Record<string, string>>): Promise<TransportResponse> {
    if (this.#ended || this.settled) return this.response;
    try {
      for (const [name, value] of Object.entries(trailers ?? {})) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      }
    } catch (error) {
      this.#fail(
        Object.assign(new Error((error as Error).message, { cause: error }), { code: 'ERR_INVALID_REQUEST' }),
      );
      return this.response;
    }
    this.#ended = true;
    if (trailers !== undefined && Object.keys(trailers).length > 0) {
      // got creates the ClientRequest asynchronously; if it is not there yet, #onRequest adds them.
      this.#trailers = trailers;
      this.#outgoing?.addTrailers(trailers);
    }
    (this.#duplex as GotRequest).end();
    return this.response;
  }

  /**
   * Destroys the request without the terminating chunk, so the server sees a cut body. `response`
   * and pending writes reject with a `TransportError` whose `code` is the reason's `code` when it
   * has one, else `ERR_STREAM_ABORTED`. Does nothing once answered.
   */
  abort(reason?: Error): void {
    if (this.settled) return;
    const code = (reason as { code?: unknown } | undefined)?.code;
    this.#fail(
      Object.assign(new Error(reason?.message ?? 'the request stream was aborted', { cause: reason }), {
        code: typeof code === 'string' ? code : 'ERR_STREAM_ABORTED',
      }),
    );
  }

  #onRequest(outgoing: ClientRequest): void {
    this.#outgoing = outgoing;
    // The head leaves now, before any body byte (Node would wait for the first write).
    outgoing.flushHeaders();
    if (this.#trailers !== undefined) outgoing.addTrailers(this.#trailers);
  }

  #onResponse(response: GotResponse): void {
    const collector = new ResponseHeaderCollector();
    const raw = response.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      collector.add((raw[i] as string).toLowerCase(), decodeHeaderValue(raw[i + 1] as string));
    }
    this.#partial = {
      status: response.statusCode,
      headComplete: true,
      headers: collector.headers,
      ...(collector.repeated === undefined ? {} : { repeated: collector.repeated }),
    };
  }

  #onEnd(): void {
    const partial = this.#partial;
    if (this.settled || partial === undefined) return;
    const body = Buffer.concat(this.#body);
    this.#answer = {
      status: partial.status ?? 0,
      headers: partial.headers,
      ...(partial.repeated === undefined ? {} : { repeated: partial.repeated }),
      body,
    };
    this.#resolve(this.#answer);
    // The connection carried its one request: close it (and stop a body nobody reads any more).
    this.#duplex?.destroy();
    const refusal = this.#refusal() as TransportError;
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(refusal);
    this.#onSettled(this);
  }

  #refusal(): TransportError | undefined {
    if (this.#failure !== undefined) return this.#failure;
    const answer = this.#answer;
    if (answer === undefined) return undefined;
    return TransportError.wrap(
      this.#request,
      coded(`the server answered ${answer.status} before the body ended`, 'ERR_STREAM_ANSWERED'),
      this.#partial,
    );
  }

  #fail(error: unknown): void {
    if (this.settled) return;
    const failure = TransportError.wrap(this.#request, error, this.#partial);
    this.#failure = failure;
    this.#duplex?.destroy();
    this.#reject(failure);
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(failure);
    this.#onSettled(this);
  }
}

function coded(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}
