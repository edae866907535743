import {
  CONTEXT_BUILDER,
  type ContextBuilder,
  ENVIRONMENT,
  type EncodedPayload,
  type ErrorDocument,
  type Handler,
  type Invocation,
  type InvocationContext,
  type LambdaEnvironment,
  LambdaRuntimeError,
  LOGGER,
  type Logger,
  MAX_RESPONSE_BYTES,
  PAYLOAD_CODEC,
  type PayloadCodec,
  ResponseSizeTooLargeError,
  type RuntimeLoop,
  runInInvocation,
  SerializationError,
  TRANSPORT,
  type Transport,
  toErrorDocument,
} from '@lambda-runtime/api';
import { inject, injectable } from 'tsyringe';
import { type PostResult, RuntimeApiClient } from './runtime-api-client.js';

const TRACE_ENV = '_X_AMZN_TRACE_ID';
const PAYLOAD_TOO_LARGE = 413;

/**
 * The single-concurrency invocation loop: `/next` → context → decode → handler → encode →
 * `/response` or `/error`, one invocation at a time, until {@link DefaultRuntimeLoop.stop} or a
 * fatal Runtime API failure.
 *
 * Every invocation received is answered exactly once. Failures that belong to one invocation
 * (handler throws or rejects, malformed headers or event, unserializable or oversized result) go to
 * `/error` and the loop goes on; a 4xx on a post is logged and the loop goes on (after a 413 no
 * `/error` is sent: the platform already failed the invocation). A 5xx, a lost connection or a
 * protocol violation rejects {@link DefaultRuntimeLoop.run}.
 *
 * Usable with the container (every parameter carries `@inject`) or with plain arguments.
 *
 * @example
 * ```ts
 * const loop = new DefaultRuntimeLoop(transport, new DefaultContextBuilder(env), new DefaultPayloadCodec(), logger, env);
 * await loop.run(async (event, context) => ({ id: context.awsRequestId }));
 * ```
 */
@injectable()
export class DefaultRuntimeLoop implements RuntimeLoop {
  private readonly client: RuntimeApiClient;
  private readonly contextBuilder: ContextBuilder;
  private readonly codec: PayloadCodec;
  private readonly logger: Logger;
  // _X_AMZN_TRACE_ID is process-global: only meaningful when one invocation runs at a time.
  private readonly setsTraceEnv: boolean;
  private running = false;
  private stopRequested = false;
  private wakeOnStop: (() => void) | undefined;

  constructor(
    @inject(TRANSPORT) transport: Transport,
    @inject(CONTEXT_BUILDER) contextBuilder: ContextBuilder,
    @inject(PAYLOAD_CODEC) codec: PayloadCodec,
    @inject(LOGGER) logger: Logger,
    @inject(ENVIRONMENT) environment: LambdaEnvironment,
  ) {
    this.client = new RuntimeApiClient(transport);
    this.contextBuilder = contextBuilder;
    this.codec = codec;
    this.logger = logger;
    this.setsTraceEnv = environment.maxConcurrency === 1;
  }

  async run(handler: Handler): Promise<void> {
    if (this.running) {
      throw new Error('DefaultRuntimeLoop.run() is already running');
    }
    this.running = true;
    this.stopRequested = false;
    try {
      while (!this.stopRequested) {
        const invocation = await this.nextUnlessStopped();
        if (invocation === undefined) break;
        await this.answer(invocation, handler);
      }
    } finally {
      this.running = false;
      this.wakeOnStop = undefined;
    }
  }

  /** The next invocation, or `undefined` as soon as stop() is called while the poll is parked. */
  private nextUnlessStopped(): Promise<Invocation | undefined> {
    // A fresh promise per poll (not a race against one long-lived "stopped" promise, which would
    // collect a reaction per invocation). A poll abandoned by stop() settles into the void.
    return new Promise<Invocation | undefined>((resolve, reject) => {
      this.wakeOnStop = () => resolve(undefined);
      this.client.next().then(resolve, reject);
    });
  }

  stop(): void {
    this.stopRequested = true;
    this.wakeOnStop?.();
  }

  /** Answers one invocation exactly once; rejects only on fatal Runtime API failures. */
  private async answer(invocation: Invocation, handler: Handler): Promise<void> {
    let context: InvocationContext;
    try {
      context = this.contextBuilder.build(invocation);
    } catch (error) {
      await this.fail(invocation.requestId, error);
      return;
    }
    await runInInvocation(context, () => this.invoke(invocation, context, handler));
  }

  private async invoke(invocation: Invocation, context: InvocationContext, handler: Handler): Promise<void> {
    const { requestId } = invocation;
    let event: unknown;
    try {
      event = this.codec.decode(invocation.body, invocation.contentType);
    } catch (error) {
      await this.fail(requestId, error);
      return;
    }

    if (this.setsTraceEnv) {
      if (invocation.traceId === undefined) {
        delete process.env[TRACE_ENV];
      } else {
        process.env[TRACE_ENV] = invocation.traceId;
      }
    }

    let result: unknown;
    try {
      result = await handler(event, context, () => undefined);
    } catch (error) {
      await this.fail(requestId, error);
      return;
    }

    let payload: EncodedPayload;
    try {
      payload = this.codec.encode(result);
    } catch (error) {
      await this.fail(
        requestId,
        error instanceof LambdaRuntimeError
          ? error
          : new SerializationError('The handler result could not be serialized', { cause: error }),
      );
      return;
    }

    if (byteLength(payload.body) > MAX_RESPONSE_BYTES) {
      const size =
        typeof payload.body === 'string' ? Buffer.byteLength(payload.body) : payload.body.byteLength;
      await this.fail(
        requestId,
        new ResponseSizeTooLargeError(
          `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        ),
      );
      return;
    }

    const posted = await this.client.postResponse(requestId, payload);
    if (posted.status === PAYLOAD_TOO_LARGE) {
      // The platform has already failed this invocation; an /error now would only get a 403.
      this.logger.error(
        { requestId, status: posted.status, apiErrorType: posted.apiErrorType },
        'Runtime API rejected the response as too large',
      );
    } else {
      this.reportRejection(posted, requestId, '/response');
    }
  }

  private async fail(requestId: string, error: unknown): Promise<void> {
    const document = toErrorDocument(error);
    this.logInvokeError(requestId, document);
    const posted = await this.client.postError(requestId, document);
    this.reportRejection(posted, requestId, '/error');
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

  private reportRejection(posted: PostResult, requestId: string, endpoint: string): void {
    if (posted.status >= 400) {
      // A 4xx settles only this request id: no retry, the loop goes on to /next.
      this.logger.error(
        { requestId, status: posted.status, apiErrorType: posted.apiErrorType },
        `Runtime API rejected ${endpoint} with ${posted.status} ${posted.apiErrorType ?? ''}`.trimEnd(),
      );
    }
  }
}

// A UTF-16 code unit encodes to at most 3 UTF-8 bytes, so most strings never need the O(n) count.
const SURELY_SMALL_STRING = Math.floor(MAX_RESPONSE_BYTES / 3);

function byteLength(body: Uint8Array | string): number {
  if (typeof body !== 'string') return body.byteLength;
  return body.length <= SURELY_SMALL_STRING ? body.length : Buffer.byteLength(body, 'utf8');
}
