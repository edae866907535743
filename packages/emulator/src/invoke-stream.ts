import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  HttpIntegrationPreludeParser,
  type HttpResponsePrelude,
} from './http-integration-prelude.js';
import type { InvokeResult } from './invoke-result.js';
import type { StreamedResponseTarget } from './streamed-response-target.js';

/** One piece of a streamed answer and when the emulator received it. */
export interface StreamedChunk {
  readonly bytes: Buffer;
  /** Arrival time at the emulator, ms since epoch. */
  readonly at: number;
}

/** Everything a streamed invocation produced, once it is over (see {@link InvokeStream.collect}). */
export interface CollectedStream {
  readonly chunks: readonly StreamedChunk[];
  /** The payload bytes, prelude excluded. */
  readonly body: Buffer;
  readonly result: InvokeResult;
}

/** Bytes waiting for the reader before the runtime's upload is held back. */
const HIGH_WATER_MARK = 1024 * 1024;

/**
 * A streamed invocation as a test consumes it (see {@link RuntimeApiEmulator.invokeStream}): the
 * payload chunks as an async iterable, each with its arrival time; the http-integration
 * {@link prelude} when the runtime sent one (it is not among the chunks); and the final
 * {@link result}, a function error or a cut stream included. A buffered answer comes as one chunk.
 * Iterating ends when the invocation does; it throws when the invocation is rejected (timeout,
 * emulator closed). Read the chunks: once 1 MiB waits unread, the runtime's upload is held back.
 *
 * @example
 * ```ts
 * const stream = emulator.invokeStream({ prompt: 'hi' });
 * for await (const { bytes, at } of stream) console.log(at, bytes.toString());
 * const result = await stream.result; // result.status, result.errorType ('Function.ResponseSizeTooLarge', ...)
 * ```
 */
export class InvokeStream implements AsyncIterable<StreamedChunk> {
  readonly requestId: string;
  /** How the invocation ended; resolves after the last chunk was queued. */
  readonly result: Promise<InvokeResult>;
  readonly #queue: StreamedChunk[] = [];
  #queuedBytes = 0;
  #wakeReader: (() => void) | undefined;
  #wakeWriter: (() => void) | undefined;
  #ended = false;
  /** The reader stopped iterating: later bytes are dropped so the upload can finish. */
  #abandoned = false;
  #failure: unknown;
  #streamed = false;
  #contentType: string | undefined;
  #parser: HttpIntegrationPreludeParser | undefined;
  #prelude: HttpResponsePrelude | undefined;
  #preludeError: string | undefined;

  /** `start` runs the invocation with this stream as the target of a streamed `/response`. */
  constructor(requestId: string, start: (target: StreamedResponseTarget) => Promise<InvokeResult>) {
    this.requestId = requestId;
    const target: StreamedResponseTarget = {
      begin: (contentType) => this.#begin(contentType),
      write: (bytes) => this.#write(bytes),
    };
    this.result = start(target).then(
      (result) => {
        if (!this.#streamed && result.status === 'success' && result.payload.length > 0) {
          this.#push(result.payload);
        }
        if (this.#parser !== undefined) {
          this.#preludeError = 'the stream ended before the prelude delimiter';
          const held = this.#parser.flush();
          this.#parser = undefined;
          if (held.length > 0) this.#push(held);
        }
        this.#end(undefined);
        return result;
      },
      (error: unknown) => {
        this.#end(error);
        throw error;
      },
    );
    // The rejection also reaches the iterator; a test that only iterates must not see it as unhandled.
    this.result.catch(() => {});
  }

  /** True when the runtime streamed its `/response`; false for a buffered answer or an `/error`. */
  get streamed(): boolean {
    return this.#streamed;
  }

  /** `Content-Type` of the streamed `/response`. */
  get contentType(): string | undefined {
    return this.#contentType;
  }

  /** The http-integration prelude, once it has arrived. */
  get prelude(): HttpResponsePrelude | undefined {
    return this.#prelude;
  }

  /** Why an http-integration stream had no valid prelude (its bytes then came as chunks). */
  get preludeError(): string | undefined {
    return this.#preludeError;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamedChunk> {
    try {
      for (;;) {
        const chunk = this.#queue.shift();
        if (chunk !== undefined) {
          this.#queuedBytes -= chunk.bytes.length;
          if (this.#queuedBytes < HIGH_WATER_MARK) this.#takeWake('writer')?.();
          yield chunk;
          continue;
        }
        if (this.#ended) {
          if (this.#failure !== undefined) throw this.#failure;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wakeReader = resolve;
        });
      }
    } finally {
      if (!this.#ended) {
        // The reader left early (break, return, a throw in its loop): stop holding the upload back.
        this.#abandoned = true;
        this.#queue.splice(0);
        this.#queuedBytes = 0;
        this.#takeWake('writer')?.();
      }
    }
  }

  /** Reads the whole stream: every chunk, the payload joined, and the result. */
  async collect(): Promise<CollectedStream> {
    const chunks: StreamedChunk[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return { chunks, body: Buffer.concat(chunks.map((chunk) => chunk.bytes)), result: await this.result };
  }

  #begin(contentType: string | undefined): void {
    this.#streamed = true;
    this.#contentType = contentType;
    if (contentType?.split(';', 1)[0]?.trim().toLowerCase() === HTTP_INTEGRATION_CONTENT_TYPE) {
      this.#parser = new HttpIntegrationPreludeParser();
    }
  }

  #write(bytes: Buffer): Promise<void> {
    const parser = this.#parser;
    if (parser !== undefined) {
      const parsed = parser.push(bytes);
      if (parsed.kind === 'waiting') return Promise.resolve();
      this.#parser = undefined;
      if (parsed.kind === 'invalid') {
        this.#preludeError = parsed.reason;
        return this.#queueBytes(parsed.bytes);
      }
      this.#prelude = parsed.prelude;
      return parsed.rest.length > 0 ? this.#queueBytes(parsed.rest) : Promise.resolve();
    }
    return this.#queueBytes(bytes);
  }

  #queueBytes(bytes: Buffer): Promise<void> {
    if (this.#abandoned) return Promise.resolve();
    this.#push(bytes);
    if (this.#queuedBytes < HIGH_WATER_MARK) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wakeWriter = resolve;
    });
  }

  #push(bytes: Buffer): void {
    this.#queue.push({ bytes, at: Date.now() });
    this.#queuedBytes += bytes.length;
    this.#takeWake('reader')?.();
  }

  #end(failure: unknown): void {
    this.#ended = true;
    this.#failure = failure;
    this.#takeWake('reader')?.();
    this.#takeWake('writer')?.();
  }

  #takeWake(which: 'reader' | 'writer'): (() => void) | undefined {
    if (which === 'reader') {
      const wake = this.#wakeReader;
      this.#wakeReader = undefined;
      return wake;
    }
    const wake = this.#wakeWriter;
    this.#wakeWriter = undefined;
    return wake;
  }
}
