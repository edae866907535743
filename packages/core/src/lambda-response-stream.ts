import { Writable } from 'node:stream';
import {
  DEFAULT_STREAM_CONTENT_TYPE,
  InvalidStreamingOperationError,
  type ResponseStream,
} from '@lambda-runtime/api';

/** The largest batch `_writev` joins small buffered chunks into. */
const WRITEV_BATCH_BYTES = 64 * 1024;

/** Where a {@link LambdaResponseStream} sends its bytes; the streaming answer implements it. */
export interface ResponseStreamSink {
  /** Sends bytes (the first call opens the request with `contentType`); resolves when more may follow. */
  write(chunk: Uint8Array, contentType: string): Promise<void>;
  /** The stream ended normally: end the request (opening it first if nothing was written). */
  end(contentType: string): Promise<void>;
  /** The stream was destroyed before it ended, with `error` or without one. */
  destroyed(error: Error | null): void;
  /** A write after `end()`: refused (see {@link LambdaResponseStream.write}); the sink reports it. */
  wroteAfterEnd(error: Error): void;
}

/** Options of {@link LambdaResponseStream}. */
export interface LambdaResponseStreamOptions {
  /** Bytes buffered before `write()` returns `false` (default Node's 16 KiB). */
  readonly highWaterMark?: number | undefined;
}

type BeforeFirstWrite = (write: (chunk: string | Uint8Array) => void) => void;

/**
 * The response stream a streaming handler writes to: a Node `Writable` whose bytes go to the sink
 * (the streamed `/response`) as the sink takes them, so a slow reader fills the buffer up to
 * `highWaterMark` and `write()` returns `false`. Local rules of the managed runtime's stream are
 * kept: `setContentType` only before the first write, chunks that are not bytes or text are sent as
 * JSON, and `_onBeforeFirstWrite` (the HTTP prelude) runs right before the first payload byte; here
 * also at the end when nothing was written, so a prelude always leaves. A write after `end()` is
 * refused without destroying the stream (its callback gets an `InvalidStreamingOperationError`), so
 * the response already ended still goes out whole.
 *
 * @example
 * ```ts
 * const stream = new LambdaResponseStream(sink, { highWaterMark: 64 * 1024 });
 * await handler(event, stream, context);
 * ```
 */
export class LambdaResponseStream extends Writable implements ResponseStream {
  _onBeforeFirstWrite: BeforeFirstWrite | undefined;
  #contentType = DEFAULT_STREAM_CONTENT_TYPE;
  #writeCalled = false;
  readonly #sink: ResponseStreamSink;

  constructor(sink: ResponseStreamSink, options: LambdaResponseStreamOptions = {}) {
    super(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark });
    this.#sink = sink;
  }

  /** The content type the request is (or will be) sent with. */
  get contentType(): string {
    return this.#contentType;
  }

  /** Whether `write()` or `end(chunk)` has been called: the content type is fixed from then on. */
  get writeCalled(): boolean {
    return this.#writeCalled;
  }

  setContentType(contentType: string): void {
    if (this.#writeCalled) {
      throw new InvalidStreamingOperationError(
        'Cannot set the content type after the first write: the response head has been sent.',
      );
    }
    if (typeof contentType !== 'string' || contentType.trim() === '' || /[\r\n]/.test(contentType)) {
      throw new InvalidStreamingOperationError(`Invalid content type ${JSON.stringify(String(contentType))}`);
    }
    this.#contentType = contentType;
  }

  // Overloads as Writable declares them.
  override write(chunk: unknown, callback?: (error: Error | null | undefined) => void): boolean;
  override write(
    chunk: unknown,
    encoding: BufferEncoding,
    callback?: (error: Error | null | undefined) => void,
  ): boolean;
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    if (this.writableEnded && !this.destroyed) {
      // A Writable would destroy itself here and lose the response that end() is still sending;
      // the chunk is refused instead (its callback gets the error) and the response goes out whole.
      const error = new InvalidStreamingOperationError(
        'Write after end: the response stream has ended, so this chunk was not sent',
      );
      this.#sink.wroteAfterEnd(error);
      const callback = rest.find((argument) => typeof argument === 'function') as
        | ((error: Error) => void)
        | undefined;
      if (callback !== undefined) process.nextTick(callback, error);
      return false;
    }
    this.#beforeWrite();
    return (super.write as (chunk: unknown, ...rest: unknown[]) => boolean)(asWritable(chunk), ...rest);
  }

  override end(callback?: () => void): this;
  override end(chunk: unknown, callback?: () => void): this;
  override end(chunk: unknown, encoding: BufferEncoding, callback?: () => void): this;
  override end(...args: unknown[]): this {
    const [first] = args;
    const hasChunk = first !== undefined && first !== null && typeof first !== 'function';
    // The prelude leaves even when no payload follows (checklist item 37), but never after end().
    if (!this.writableEnded && !this.destroyed) this.#beforeWrite();
    if (hasChunk) args[0] = asWritable(first);
    return (super.end as (...args: unknown[]) => this)(...args);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#sink.write(chunk, this.#contentType).then(() => callback(), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.#writeBatches(chunks).then(() => callback(), callback);
  }

  /**
   * What piled up while the reader was slow leaves in batches: small chunks joined up to
   * {@link WRITEV_BATCH_BYTES} (fewer chunk headers), large ones as they are, so a handler that
   * ignored backpressure does not get its whole backlog copied into one buffer.
   */
  async #writeBatches(chunks: ReadonlyArray<{ chunk: Buffer }>): Promise<void> {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (const { chunk } of chunks) {
      if (batchBytes > 0 && batchBytes + chunk.byteLength > WRITEV_BATCH_BYTES) {
        await this.#sink.write(
          batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch),
          this.#contentType,
        );
        batch = [];
        batchBytes = 0;
      }
      batch.push(chunk);
      batchBytes += chunk.byteLength;
    }
    if (batch.length > 0) {
      await this.#sink.write(
        batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch),
        this.#contentType,
      );
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#sink.end(this.#contentType).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.writableFinished) this.#sink.destroyed(error);
    callback(error);
  }

  #beforeWrite(): void {
    if (this.#writeCalled) return;
    this.#writeCalled = true;
    const hook = this._onBeforeFirstWrite;
    if (typeof hook === 'function') {
      hook((chunk) => {
        (super.write as (chunk: unknown) => boolean)(chunk);
      });
    }
  }
}

/** Bytes and text go as they are; anything else as JSON, as the managed runtime's stream does. */
function asWritable(chunk: unknown): unknown {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk;
  if (chunk === null || chunk === undefined) return chunk;
  return JSON.stringify(chunk);
}
