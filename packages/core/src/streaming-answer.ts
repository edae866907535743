import { pipeline } from 'node:stream/promises';
import {
  boundErrorDocument,
  HandlerNeverSettledError,
  InvalidStreamingOperationError,
  type Logger,
  ResponseStreamNotFinishedError,
  type StreamingBody,
  type StreamingHandler,
  toErrorDocument,
} from '@lambda-runtime/api';
import { type HandlerCall, isThenable } from './handler-call.js';
import { LambdaResponseStream, type ResponseStreamSink } from './lambda-response-stream.js';
import type { PostResult, RuntimeApiClient } from './runtime-api-client.js';
import type { StreamedResponsePost } from './streamed-response-post.js';

/** How a {@link StreamingAnswer} reaches the loop that owns the invocation. */
export interface StreamingAnswerHooks {
  /**
   * Answers the invocation on `/error` the loop's way (logged, redacted, marked answered): for a
   * failure before the first byte. Rejects only on a fatal Runtime API failure.
   */
  fail(error: unknown): Promise<void>;
  /** The stream opened: the invocation is answered by it; `settled` resolves once that answer is in. */
  answering(settled: Promise<unknown>): void;
}

/** Settings of a {@link StreamingAnswer}, shared by every invocation of a loop. */
export interface StreamingAnswerSettings {
  readonly client: RuntimeApiClient;
  readonly logger: Logger;
  /** The most bytes a streamed response may carry; past it the stream is cut. */
  readonly maxResponseBytes: number;
  /** Applied to error documents before they are logged (the client redacts what it posts). */
  readonly redact: (text: string) => string;
}

/**
 * - `idle`: nothing sent; a failure goes to `/error`.
 * - `open`: the request is open and bytes may flow; a failure ends it with the error trailers.
 * - `ending`: the end (or the trailers) is on its way; the answer is awaited.
 * - `done`: answered; anything later is only logged.
 */
type State = 'idle' | 'open' | 'ending' | 'done';

const PAYLOAD_TOO_LARGE = 413;

/**
 * Answers one invocation of a streaming handler, exactly once (docs/runtime-api.md section 7).
 * Nothing is sent before the handler's first byte: a failure until then goes to `/error` (checklist
 * item 36). The first byte opens `POST /response` in streaming mode (item 32) and every write goes
 * out as the transport takes it, so a slow reader slows the handler (item 33). The end sends the
 * terminating chunk (item 34); a failure after the first byte, a stream cut at the size limit, or a
 * stream never ended sends the error trailers instead (item 35). A handler that writes, fails or
 * returns a body after the answer only gets a log line.
 *
 * The invocation is over when its answer is in and the handler has settled (or the event loop ran
 * empty, so it never will). A transport failure or a 5xx while streaming rejects {@link run}: the
 * loop treats it as fatal, as it does for every post.
 *
 * @example
 * ```ts
 * const answer = new StreamingAnswer(requestId, settings, { fail, answering }, highWaterMark);
 * onEventLoopDrained = answer.eventLoopDrained;
 * await answer.run(handler, event, call);
 * ```
 */
export class StreamingAnswer {
  /** The stream the handler writes to. */
  readonly stream: LambdaResponseStream;
  /** Call when the event loop ran empty (`beforeExit`): nothing left can end the stream. */
  readonly eventLoopDrained: () => void;
  readonly #requestId: string;
  readonly #settings: StreamingAnswerSettings;
  readonly #hooks: StreamingAnswerHooks;
  #state: State = 'idle';
  #post: StreamedResponsePost | undefined;
  #bytes = 0;
  // The write in flight to the post; the end and the trailers go after it.
  #pending: Promise<void> = Promise.resolve();
  #fatal: { error: unknown } | undefined;
  // An error this answer raised itself (the size limit): the handler sees it again, and that echo is not news.
  #ownError: unknown;
  // Errors already answered or logged: a destroyed stream reports its error twice (destroy, then
  // 'error'), and a handler whose pipeline failed rejects with the same error again.
  readonly #seen = new Set<unknown>();
  readonly #answered: Promise<void>;
  #resolveAnswered: () => void = noop;
  readonly #drained: Promise<'drained'>;

  constructor(
    requestId: string,
    settings: StreamingAnswerSettings,
    hooks: StreamingAnswerHooks,
    highWaterMark?: number,
  ) {
    this.#requestId = requestId;
    this.#settings = settings;
    this.#hooks = hooks;
    this.#answered = new Promise<void>((resolve) => {
      this.#resolveAnswered = resolve;
    });
    let onDrained: () => void = noop;
    this.#drained = new Promise<'drained'>((resolve) => {
      onDrained = () => resolve('drained');
    });
    this.eventLoopDrained = onDrained;
    const sink: ResponseStreamSink = {
      write: (chunk, contentType) => this.#write(chunk, contentType),
      end: (contentType) => this.#end(contentType),
      destroyed: (error) => this.#destroyed(error),
      wroteAfterEnd: (error) => {
        this.#settings.logger.warn(
          { requestId: this.#requestId },
          `The streaming handler wrote to its response stream after ending it (ignored): ${error.message}`,
        );
      },
    };
    this.stream = new LambdaResponseStream(sink, { highWaterMark });
    // A write after the end or after a failure errors the stream; that must not become an uncaught
    // exception that ends the process.
    this.stream.on('error', (error: Error) => this.#streamError(error));
  }

  /**
   * Calls the handler with `(event, responseStream, context)` and answers. Resolves when the answer
   * is in and the handler is done; rejects on a fatal Runtime API failure.
   */
  async run(handler: StreamingHandler, event: unknown, call: HandlerCall): Promise<void> {
    // The handler may settle long before its stream ends: context.signal must keep its deadline
    // until the answer is in.
    call.deferRelease();
    try {
      await this.#run(handler, event, call);
    } finally {
      call.release();
    }
  }

  async #run(handler: StreamingHandler, event: unknown, call: HandlerCall): Promise<void> {
    callStreamingHandler(handler, event, this.stream, call);
    const outcome = await Promise.race([call.outcome, this.#drained]);
    if (outcome === 'drained') {
      if (this.#state === 'idle' || this.#state === 'open') {
        await this.#fail(
          new HandlerNeverSettledError(
            'The event loop is empty but the streaming handler neither settled nor ended its response stream',
          ),
        );
      }
    } else if (outcome.failed) {
      await this.#fail(outcome.value);
      if (!this.stream.destroyed) this.stream.destroy();
    } else {
      await this.#finishWith(outcome.value);
      // Until the stream ends; a stream nothing can end any more is a failure.
      const ended = await Promise.race([this.#answered.then(() => 'answered' as const), this.#drained]);
      if (ended === 'drained' && (this.#state === 'idle' || this.#state === 'open')) {
        await this.#fail(
          new ResponseStreamNotFinishedError(
            'The streaming handler returned without ending its response stream (call responseStream.end(), or return the body)',
          ),
        );
      }
    }
    await this.#answered;
    if (this.#fatal !== undefined) throw this.#fatal.error;
  }

  /**
   * For an uncaught exception or unhandled rejection during the invocation: answers it with
   * `error` unless it is answered already (on `/error` before the first byte, with the trailers
   * after it). Resolves whether this answer carried `error`.
   */
  async failInFlight(error: unknown): Promise<boolean> {
    const carries = this.#state === 'idle' || this.#state === 'open';
    if (carries) await this.#fail(error);
    await this.#answered;
    if (!this.stream.destroyed) this.stream.destroy();
    return carries;
  }

  /** The handler resolved: a body is written and the stream ended; any other value is ignored. */
  async #finishWith(value: unknown): Promise<void> {
    // `async (event, stream) => stream.end(...)` resolves to the stream itself: nothing to add.
    if (value === undefined || value === this.stream) return;
    if (!isStreamingBody(value)) {
      this.#settings.logger.warn(
        { requestId: this.#requestId, returned: typeof value },
        'Streaming handlers answer through their response stream; the value the handler returned is ignored',
      );
      return;
    }
    if (this.stream.writableEnded || this.stream.destroyed) {
      this.#settings.logger.warn(
        { requestId: this.#requestId },
        'The streaming handler returned a body after its response stream had ended; the body is ignored',
      );
      return;
    }
    const source = typeof value === 'string' || value instanceof Uint8Array ? [value] : value;
    try {
      // Backpressure and errors both ways: a failing body destroys the stream (trailers), a broken
      // stream stops the body.
      await pipeline(source as AsyncIterable<unknown>, this.stream);
    } catch (error) {
      await this.#fail(error);
    }
  }

  #open(contentType: string): StreamedResponsePost {
    const { client, maxResponseBytes } = this.#settings;
    const post = client.openResponseStream(this.#requestId, contentType, maxResponseBytes);
    this.#post = post;
    this.#state = 'open';
    this.#hooks.answering(this.#answered);
    post.answered.then(
      (result) => this.#answeredEarly(result),
      () => undefined, // a broken request shows on the write or the end that follows
    );
    return post;
  }

  async #write(chunk: Uint8Array, contentType: string): Promise<void> {
    if (this.#state === 'ending' || this.#state === 'done') {
      throw new InvalidStreamingOperationError(
        'The response has already been answered; the write was not sent',
      );
    }
    const post = this.#post ?? this.#open(contentType);
    const room = post.maxBytes - this.#bytes;
    if (chunk.byteLength > room) {
      if (room > 0) await this.#send(post, chunk.subarray(0, room));
      const error = post.tooLarge(this.#bytes);
      this.#ownError = error;
      void this.#fail(error);
      throw error;
    }
    await this.#send(post, chunk);
  }

  async #send(post: StreamedResponsePost, chunk: Uint8Array): Promise<void> {
    this.#bytes += chunk.byteLength;
    const writing = post.write(chunk);
    this.#pending = writing.catch(noop);
    try {
      await writing;
    } catch (error) {
      await this.#broken(post, error);
      throw error;
    }
  }

  async #end(contentType: string): Promise<void> {
    if (this.#state === 'ending' || this.#state === 'done') return;
    const post = this.#post ?? this.#open(contentType);
    await this.#pending;
    if (this.#state !== 'open') return;
    this.#conclude(() => post.end());
  }

  #destroyed(error: Error | null): void {
    if (this.#state !== 'idle' && this.#state !== 'open') return;
    void this.#fail(
      error ?? new ResponseStreamNotFinishedError('The response stream was destroyed before it ended'),
    );
  }

  #streamError(error: Error): void {
    if (error === this.#ownError || this.#seen.has(error)) return;
    if (this.#state === 'idle' || this.#state === 'open') {
      void this.#fail(error);
      return;
    }
    this.#settings.logger.warn(
      { requestId: this.#requestId, errorMessage: error.message },
      `The response stream failed after the response was sent (ignored): ${error.message}`,
    );
  }

  /** Answers with `error`: `/error` before the first byte, the error trailers after it. */
  async #fail(error: unknown): Promise<void> {
    if (this.#seen.has(error)) return;
    if (typeof error === 'object' && error !== null) this.#seen.add(error);
    const state = this.#state;
    if (state === 'idle') {
      this.#state = 'ending';
      try {
        await this.#hooks.fail(error);
      } catch (fatal) {
        this.#fatal = { error: fatal };
      }
      this.#state = 'done';
      this.#resolveAnswered();
      return;
    }
    if (state === 'open') {
      const post = this.#post as StreamedResponsePost;
      const document = this.#logInvokeError(error);
      this.#state = 'ending';
      await this.#pending;
      this.#conclude(() => post.fail(document));
      await this.#answered;
      return;
    }
    if (error === this.#ownError) return;
    const document = this.#document(error);
    this.#settings.logger.error(
      { requestId: this.#requestId, errorType: document.errorType, errorMessage: document.errorMessage },
      'The streaming handler failed after its response was sent; the failure is only logged',
    );
  }

  /** Sends the last part (end or trailers) and settles the answer with what the Runtime API said. */
  #conclude(send: () => Promise<PostResult>): void {
    this.#state = 'ending';
    let sending: Promise<PostResult>;
    try {
      sending = send();
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending
      .then(
        (result) => this.#logRejection(result),
        (error: unknown) => {
          this.#fatal ??= { error };
        },
      )
      .finally(() => {
        this.#state = 'done';
        this.#resolveAnswered();
      });
  }

  /** The Runtime API answered while the body was still being sent (a 4xx: it gave up on this id). */
  #answeredEarly(result: PostResult): void {
    if (this.#state !== 'open') return;
    this.#state = 'done';
    this.#logRejection(result);
    this.#resolveAnswered();
    const error = new InvalidStreamingOperationError(
      `The Runtime API answered ${result.status} before the response stream ended; the rest is not sent`,
    );
    this.#ownError = error;
    this.stream.destroy(error);
  }

  /** A write failed: an answer that arrived meanwhile settles it; otherwise the connection is gone. */
  async #broken(post: StreamedResponsePost, error: unknown): Promise<void> {
    if (this.#state === 'done') return;
    try {
      this.#answeredEarly(await post.answered);
    } catch {
      this.#fatal ??= { error };
    }
    if ((this.#state as State) !== 'done') {
      this.#state = 'done';
      this.#resolveAnswered();
    }
  }

  #logRejection(result: PostResult): void {
    if (result.status < 400) return;
    const { status, apiErrorType } = result;
    this.#settings.logger.error(
      { requestId: this.#requestId, status, apiErrorType },
      status === PAYLOAD_TOO_LARGE
        ? 'Runtime API rejected the streamed response as too large'
        : `Runtime API rejected the streamed /response with ${status} ${apiErrorType ?? ''}`.trimEnd(),
    );
  }

  #logInvokeError(error: unknown): ReturnType<typeof toErrorDocument> {
    const document = this.#document(error);
    this.#settings.logger.error(
      {
        requestId: this.#requestId,
        errorType: document.errorType,
        errorMessage: document.errorMessage,
        stackTrace: document.stackTrace,
      },
      'Invoke Error',
    );
    return document;
  }

  #document(error: unknown): ReturnType<typeof toErrorDocument> {
    return boundErrorDocument(toErrorDocument(error), { redact: this.#settings.redact });
  }
}

/**
 * Calls a streaming handler: `(event, responseStream, context)`. Its outcome settles `call` once:
 * a throw or rejection fails it; a return or resolution succeeds with the value (a body to write,
 * or nothing when the handler writes itself).
 */
function callStreamingHandler(
  handler: StreamingHandler,
  event: unknown,
  stream: LambdaResponseStream,
  call: HandlerCall,
): void {
  let returned: unknown;
  try {
    returned = handler(event, stream, call.context);
  } catch (error) {
    call.complete(true, error, 'throw', false);
    return;
  }
  if (isThenable(returned)) {
    returned.then(
      (value) => call.complete(false, value, 'promise resolution', false),
      (error: unknown) => call.complete(true, error, 'promise rejection', false),
    );
  } else {
    call.complete(false, returned, 'return', false);
  }
}

function isStreamingBody(value: unknown): value is StreamingBody {
  if (typeof value === 'string' || value instanceof Uint8Array) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function noop(): void {}
