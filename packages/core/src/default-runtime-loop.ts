import { AsyncResource } from 'node:async_hooks';
import {
  boundErrorDocument,
  type ContextBuilder,
  type EncodedPayload,
  type ErrorDocument,
  type Handler,
  type Invocation,
  isStreamingHandler,
  type LambdaEnvironment,
  LambdaRuntimeError,
  type Logger,
  MAX_RESPONSE_BYTES,
  type PayloadCodec,
  ResponseSizeTooLargeError,
  type RuntimeLoop,
  runInInvocation,
  SerializationError,
  type StreamingHandler,
  streamingHighWaterMark,
  type Transport,
  TransportError,
  toErrorDocument,
} from '@lambda-runtime/api';
import { callHandler, HandlerCall } from './handler-call.js';
import { RuntimeApiClient } from './runtime-api-client.js';
import type { StreamingAnswer } from './streaming-answer.js';
import { StreamingResponder, type StreamingResponderOptions } from './streaming-responder.js';

const TRACE_ENV = '_X_AMZN_TRACE_ID';
const PAYLOAD_TOO_LARGE = 413;
/**
 * Waits before each retry of a `/next` that failed to connect or lost its connection (refused,
 * reset): about 1.5 s in all, then the failure is fatal. A Runtime API that stays unreachable that
 * long is not coming back, and the platform restarts the environment.
 */
export const NEXT_RETRY_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800];

/** Options of {@link DefaultRuntimeLoop}. */
export interface DefaultRuntimeLoopOptions {
  /**
   * The wait before retry `attempt` (0 first) of a `/next` that failed with `error`, or `undefined`
   * to give up (the failure is then fatal). Default: a refused or lost connection is retried after
   * each of {@link NEXT_RETRY_DELAYS_MS}, anything else is fatal at once.
   */
  readonly retryNext?: (error: unknown, attempt: number) => number | undefined;
  /**
   * What a post that failed (a 5xx, a lost connection) does: `'fatal'` rejects `run()` (the
   * default), `'logged'` logs it and goes on to `/next`, as a poller of Lambda Managed Instances must.
   */
  readonly postFailures?: 'fatal' | 'logged';
  /**
   * Whether a callback-style completion with `callbackWaitsForEmptyEventLoop` delays the next
   * `/next` until the event loop is empty (default `true`, as on the managed runtime). A loop that
   * runs beside others sets `false`: their parked polls keep the event loop busy for ever.
   */
  readonly waitForEmptyEventLoop?: boolean;
  /**
   * Runs each invocation inside a scope of its own besides the context's (`currentInvocation()`),
   * e.g. the invoke store's of `installInvokeStore` (default: none).
   */
  readonly invocationScope?: <T>(invocation: Invocation, fn: () => T) => T;
  /**
   * The Runtime API client, speaking over the loop's `transport` (default: a new one that redacts
   * error documents with `environment.redact`). The composition root passes the client the runtime
   * posts `/init/error` with, so that a process has one.
   */
  readonly client?: RuntimeApiClient;
  /** Response streaming settings (the size limit), used when the handler is a streaming one. */
  readonly streaming?: StreamingResponderOptions;
}

/** The invocation being answered, so that a crash outside the handler can still answer it. */
interface InFlight {
  readonly requestId: string;
  answered: boolean;
  /** Once answered: what the answer waits for (deferred log lines), then its post. */
  posting: Promise<unknown> | undefined;
  /** A streaming handler's answer: a crash must end its stream, not post `/error` beside it. */
  stream?: StreamingAnswer;
}

/**
 * The single-concurrency invocation loop: `/next` → context → decode → handler → encode →
 * `/response` or `/error`, one invocation at a time, until {@link DefaultRuntimeLoop.stop} or a
 * fatal Runtime API failure.
 *
 * Every invocation received is answered exactly once. Failures that belong to one invocation
 * (handler throws or rejects, malformed headers or event, a context builder or codec that throws or
 * returns something unusable, unserializable or oversized result) go to `/error` and the loop goes on; a 4xx on a post is logged and the loop goes on (after a 413 no
 * `/error` is sent: the platform already failed the invocation). A 5xx, a lost connection or a
 * protocol violation rejects {@link DefaultRuntimeLoop.run}.
 *
 * A plain class: the composition root wires it with constructor arguments, and so can anyone.
 *
 * @example
 * ```ts
 * const loop = new DefaultRuntimeLoop(transport, new DefaultContextBuilder(env), new DefaultPayloadCodec(), logger, env);
 * await loop.run(async (event, context) => ({ id: context.awsRequestId }));
 * ```
 */
export class DefaultRuntimeLoop implements RuntimeLoop {
  private readonly client: RuntimeApiClient;
  private readonly contextBuilder: ContextBuilder;
  private readonly codec: PayloadCodec;
  private readonly retryNext: (error: unknown, attempt: number) => number | undefined;
  private readonly postFailuresFatal: boolean;
  private readonly waitsForEmptyEventLoop: boolean;
  private readonly invocationScope: (<T>(invocation: Invocation, fn: () => T) => T) | undefined;
  private readonly logger: Logger;
  // _X_AMZN_TRACE_ID is process-global: only meaningful when one invocation runs at a time.
  private readonly setsTraceEnv: boolean;
  private readonly redact: (text: string) => string;
  // Only a transport that keeps call order may get /next before the previous answer is back.
  private readonly pollsBehindAnswers: boolean;
  private readonly transport: Transport;
  private readonly environment: LambdaEnvironment;
  private readonly streamingOptions: StreamingResponderOptions | undefined;
  // Set by run() when the handler streams its responses.
  private streaming: StreamingResponder | undefined;
  private running = false;
  private stopRequested = false;
  // The parked poll's own resolve function, stored as is: a fresh closure per poll written into this
  // long-lived object made unoptimised code keep every invocation alive until a full GC.
  private wakeOnStop: ((stopped: undefined) => void) | undefined;
  private inFlight: InFlight | undefined;
  /** `prefetch` in the loop's own async context, not an invocation's (see pollAfterAnswer). */
  private pollInLoopContext: () => Promise<Invocation | undefined> = () => this.prefetch();
  // The /next issued together with the answer of the previous invocation (see pollAfterAnswer).
  private prefetched: Promise<Invocation | undefined> | undefined;
  // Called by the beforeExit listener: the event loop ran empty (see callHandler).
  private onEventLoopDrained: (() => void) | undefined;
  private readonly beforeExit = (): void => {
    const waiter = this.onEventLoopDrained;
    this.onEventLoopDrained = undefined;
    waiter?.();
  };

  /**
   * @param transport - the Runtime API origin's transport; its `pipelining` decides when `/next` goes out.
   * @param environment - `maxConcurrency` (whether `_X_AMZN_TRACE_ID` is set) and `redact`.
   */
  constructor(
    transport: Transport,
    contextBuilder: ContextBuilder,
    codec: PayloadCodec,
    logger: Logger,
    environment: LambdaEnvironment,
    options: DefaultRuntimeLoopOptions = {},
  ) {
    this.client =
      options.client ??
      new RuntimeApiClient(transport, { redact: (text) => environment.redact(text), logger });
    this.pollsBehindAnswers = transport.pipelining === true;
    this.transport = transport;
    this.environment = environment;
    this.streamingOptions = options.streaming;
    this.contextBuilder = contextBuilder;
    this.codec = codec;
    this.logger = logger;
    this.setsTraceEnv = environment.maxConcurrency === 1;
    this.redact = (text) => environment.redact(text);
    this.retryNext = options.retryNext ?? retryLostConnection;
    this.postFailuresFatal = options.postFailures !== 'logged';
    this.waitsForEmptyEventLoop = options.waitForEmptyEventLoop ?? true;
    this.invocationScope = options.invocationScope;
  }

  async run(handler: Handler): Promise<void> {
    if (this.running) {
      throw new Error('DefaultRuntimeLoop.run() is already running');
    }
    this.running = true;
    this.stopRequested = false;
    this.pollInLoopContext = AsyncResource.bind(() => this.prefetch());
    if (this.waitsForEmptyEventLoop) process.on('beforeExit', this.beforeExit);
    try {
      this.streaming = isStreamingHandler(handler)
        ? new StreamingResponder(
            this.transport,
            this.client,
            this.logger,
            this.environment,
            this.streamingOptions,
          )
        : undefined;
      while (!this.stopRequested) {
        const invocation = await this.nextWithRetries();
        if (invocation === undefined) break;
        await this.answer(invocation, handler);
      }
    } finally {
      process.off('beforeExit', this.beforeExit);
      this.running = false;
      this.wakeOnStop = undefined;
      this.onEventLoopDrained = undefined;
    }
  }

  stop(): void {
    this.stopRequested = true;
    this.wakeOnStop?.(undefined);
  }

  /**
   * Answers the invocation in flight, if it has not been answered yet, with `error` on `/error`,
   * and stops the loop. For failures the handler's promise cannot carry: an uncaught exception or
   * an unhandled rejection while the invocation runs. Resolves `true` when an answer was posted.
   */
  async failInFlight(error: unknown): Promise<boolean> {
    this.stop();
    const inFlight = this.inFlight;
    if (inFlight === undefined) return false;
    if (inFlight.stream !== undefined) return inFlight.stream.failInFlight(error);
    if (inFlight.answered) {
      // Decided but perhaps still waiting for deferred log lines: let that answer leave first.
      for (let posting = inFlight.posting; posting !== undefined; ) {
        await posting.then(noop, noop);
        const next = inFlight.posting;
        posting = next === posting ? undefined : next;
      }
      return false;
    }
    await this.fail(inFlight, error, false);
    return true;
  }

  /** `/next`, retried with backoff while the connection is refused or lost; `undefined` once stopped. */
  private async nextWithRetries(): Promise<Invocation | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      const prefetched = this.prefetched;
      this.prefetched = undefined;
      try {
        return await (prefetched ?? this.nextUnlessStopped());
      } catch (error) {
        const delay = this.retryNext(error, attempt);
        if (delay === undefined || this.stopRequested) throw error;
        const code = (error as { code?: string }).code;
        this.logger.warn(
          { code, attempt: attempt + 1, retryInMs: delay },
          `GET /runtime/invocation/next failed (${code ?? (error as Error).message}); retrying in ${delay} ms`,
        );
        await sleep(delay);
        if (this.stopRequested) return undefined;
      }
    }
  }

  /**
   * Issues the next `/next` right behind an answer, without waiting for the answer's status: a
   * transport that pipelines sends both in one write and usually reads both answers in one read.
   * The answer is still on the wire first, so `/next` never precedes the result (item 17).
   */
  private pollAfterAnswer(): void {
    if (!this.pollsBehindAnswers || this.stopRequested || this.prefetched !== undefined) return;
    // Called from inside the invocation, the poll (and the promises chained to it) would inherit its
    // async context: the transport's callbacks would run as that invocation, and its context, event
    // and handler state would stay reachable until the next invocation arrives.
    this.prefetched = this.pollInLoopContext();
  }

  /** A poll for the next invocation whose failure only nextWithRetries reports. */
  private prefetch(): Promise<Invocation | undefined> {
    const poll = this.nextUnlessStopped();
    // Consumed (and its failure handled) by nextWithRetries; never an unhandled rejection.
    poll.catch(noop);
    return poll;
  }

  /** The next invocation, or `undefined` as soon as stop() is called while the poll is parked. */
  private nextUnlessStopped(): Promise<Invocation | undefined> {
    // A fresh promise per poll (not a race against one long-lived "stopped" promise, which would
    // collect a reaction per invocation). A poll abandoned by stop() settles into the void.
    return new Promise<Invocation | undefined>((resolve, reject) => {
      this.wakeOnStop = resolve;
      this.client.next().then(resolve, reject);
    });
  }

  /** Answers one invocation exactly once; rejects only on fatal Runtime API failures. */
  private async answer(invocation: Invocation, handler: Handler): Promise<void> {
    const inFlight: InFlight = { requestId: invocation.requestId, answered: false, posting: undefined };
    this.inFlight = inFlight;
    try {
      let call: HandlerCall;
      try {
        call = new HandlerCall(this.contextBuilder.build(invocation), this.logger);
      } catch (error) {
        await this.fail(inFlight, error);
        return;
      }
      const scope = this.invocationScope;
      const run = () => this.invoke(invocation, inFlight, call, handler);
      const waitForEmptyEventLoop = await runInInvocation(
        call.context,
        scope === undefined ? run : () => scope(invocation, run),
      );
      if (waitForEmptyEventLoop && this.waitsForEmptyEventLoop) {
        await new Promise<void>((resolve) => {
          this.onEventLoopDrained = resolve;
        });
      }
    } catch (error) {
      // Until its answer is on its way, any failure belongs to this invocation (a context builder,
      // codec or handler-facing part that broke in an unforeseen way): answer it and go on. Once
      // answered, only a Runtime API failure can get here, and that is fatal.
      if (inFlight.answered) {
        if (this.postFailuresFatal) throw error;
        this.logPostFailure(inFlight.requestId, error);
        return;
      }
      await this.fail(inFlight, error);
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Runs the handler and answers; resolves whether the next `/next` must wait for an empty event loop. */
  private async invoke(
    invocation: Invocation,
    inFlight: InFlight,
    call: HandlerCall,
    handler: Handler,
  ): Promise<boolean> {
    let event: unknown;
    try {
      event = this.codec.decode(invocation.body, invocation.contentType);
    } catch (error) {
      await this.fail(inFlight, error);
      return false;
    }

    if (this.setsTraceEnv) {
      if (invocation.traceId === undefined) {
        delete process.env[TRACE_ENV];
      } else {
        process.env[TRACE_ENV] = invocation.traceId;
      }
    }

    if (this.streaming !== undefined) {
      const answer = this.streaming.answer(inFlight.requestId, streamingHighWaterMark(handler), {
        fail: (error) => this.fail(inFlight, error, false),
        answering: (settled) => {
          inFlight.answered = true;
          inFlight.posting = settled;
        },
      });
      inFlight.stream = answer;
      // Beside other pollers the event loop never empties: an unended stream then waits for its deadline.
      if (this.waitsForEmptyEventLoop) this.onEventLoopDrained = answer.eventLoopDrained;
      await answer.run(handler as unknown as StreamingHandler, event, call);
      this.onEventLoopDrained = undefined;
      return false;
    }

    this.onEventLoopDrained = callHandler(handler, event, call);
    // Beside other pollers the event loop never empties: a plain function that returned nothing has
    // answered (undefined) now, and a callback-style one answers when it calls back.
    if (!this.waitsForEmptyEventLoop) setImmediate(completeIfReturnedNothing, call, this.onEventLoopDrained);
    const outcome = await call.outcome;
    this.onEventLoopDrained = undefined;
    if (inFlight.answered) return false;
    // After a callback that waits for an empty event loop, /next must wait too.
    const pollNext = !outcome.waitForEmptyEventLoop;
    if (outcome.failed) {
      await this.fail(inFlight, outcome.value, pollNext);
      return outcome.waitForEmptyEventLoop;
    }

    let payload: EncodedPayload;
    try {
      payload = this.codec.encode(outcome.value);
    } catch (error) {
      await this.fail(
        inFlight,
        error instanceof LambdaRuntimeError
          ? error
          : new SerializationError('The handler result could not be serialized', { cause: error }),
        pollNext,
      );
      return outcome.waitForEmptyEventLoop;
    }

    if (byteLength(payload.body) > MAX_RESPONSE_BYTES) {
      const size =
        typeof payload.body === 'string' ? Buffer.byteLength(payload.body) : payload.body.byteLength;
      await this.fail(
        inFlight,
        new ResponseSizeTooLargeError(
          `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        ),
        pollNext,
      );
      return outcome.waitForEmptyEventLoop;
    }

    await this.post(inFlight, false, payload, pollNext);
    return outcome.waitForEmptyEventLoop;
  }

  /** Answers on `/error` (unless answered already), logging the error first. */
  private async fail(inFlight: InFlight, error: unknown, pollNext = true): Promise<void> {
    if (inFlight.answered) return;
    // Bounded as posted (redacted first), so the log line is no larger than the /error body.
    const document = boundErrorDocument(toErrorDocument(error), { redact: this.redact });
    this.logInvokeError(inFlight.requestId, document);
    await this.post(inFlight, true, document, pollNext);
  }

  /**
   * The one way an invocation is answered: marked answered, then posted (every log line of the
   * invocation is already on stdout: the logger writes synchronously), with the next `/next` issued right behind it when
   * `pollNext` (see pollAfterAnswer); a 4xx is logged and the loop goes on.
   */
  private async post(
    inFlight: InFlight,
    isError: boolean,
    answer: EncodedPayload | ErrorDocument,
    pollNext: boolean,
  ): Promise<void> {
    inFlight.answered = true;
    const { requestId } = inFlight;
    const posting = isError
      ? this.client.postError(requestId, answer as ErrorDocument)
      : this.client.postResponse(requestId, answer as EncodedPayload);
    inFlight.posting = posting;
    if (pollNext) this.pollAfterAnswer();
    const posted = await posting;
    if (posted.status < 400) return;
    if (!isError && posted.status === PAYLOAD_TOO_LARGE) {
      // The platform has already failed this invocation; an /error now would only get a 403.
      this.logger.error(
        { requestId, status: posted.status, apiErrorType: posted.apiErrorType },
        'Runtime API rejected the response as too large',
      );
      return;
    }
    // A 4xx settles only this request id: no retry, the loop goes on to /next.
    const endpoint = isError ? '/error' : '/response';
    this.logger.error(
      { requestId, status: posted.status, apiErrorType: posted.apiErrorType },
      `Runtime API rejected ${endpoint} with ${posted.status} ${posted.apiErrorType ?? ''}`.trimEnd(),
    );
  }

  /** A post that failed for good, when that does not stop the loop (`postFailures: 'logged'`). */
  private logPostFailure(requestId: string, error: unknown): void {
    const document = toErrorDocument(error);
    this.logger.error(
      { requestId, errorType: document.errorType, errorMessage: document.errorMessage },
      `Could not deliver the answer of ${requestId}; going on: ${document.errorMessage}`,
    );
  }

  private logInvokeError(requestId: string, document: ErrorDocument): void {
    this.logger.error(
      {
        requestId,
        errorType: document.errorType,
        errorMessage: document.errorMessage,
        stackTrace: document.stackTrace,
      },
      'Invoke Error',
    );
  }
}

// A UTF-16 code unit encodes to at most 3 UTF-8 bytes, so most strings never need the O(n) count.
const SURELY_SMALL_STRING = Math.floor(MAX_RESPONSE_BYTES / 3);

function byteLength(body: Uint8Array | string): number {
  if (typeof body !== 'string') return body.byteLength;
  return body.length <= SURELY_SMALL_STRING ? body.length : Buffer.byteLength(body, 'utf8');
}

/** The default `retryNext`: a refused or lost connection, a few times (see NEXT_RETRY_DELAYS_MS). */
function retryLostConnection(error: unknown, attempt: number): number | undefined {
  return error instanceof TransportError ? NEXT_RETRY_DELAYS_MS[attempt] : undefined;
}

function completeIfReturnedNothing(call: HandlerCall, eventLoopDrained: () => void): void {
  if (call.returnedUndefined) eventLoopDrained();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noop(): void {}
