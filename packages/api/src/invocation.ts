/**
 * One invocation as the Runtime API delivered it on `/next`: the §3.1 headers, present-but-empty
 * values already turned into `undefined`, and the raw body. Nothing here is parsed beyond what
 * identifies the invocation.
 */
export interface Invocation {
  /** `Lambda-Runtime-Aws-Request-Id`. */
  readonly requestId: string;
  /** `Lambda-Runtime-Deadline-Ms`, raw (the context builder parses and validates it). */
  readonly deadlineMs: string | undefined;
  /** `Lambda-Runtime-Invoked-Function-Arn`. */
  readonly invokedFunctionArn: string | undefined;
  /** `Lambda-Runtime-Trace-Id`. */
  readonly traceId: string | undefined;
  /** `Lambda-Runtime-Client-Context`, raw JSON text. */
  readonly clientContext: string | undefined;
  /** `Lambda-Runtime-Cognito-Identity`, raw JSON text. */
  readonly cognitoIdentity: string | undefined;
  /** `Lambda-Runtime-Aws-Tenant-Id`. */
  readonly tenantId: string | undefined;
  /** `Content-Type` of the event (default `application/json`). */
  readonly contentType: string;
  /** Every response header, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event, as bytes. */
  readonly body: Uint8Array;
}

/** Mobile client context (`Lambda-Runtime-Client-Context`), shape as in `@types/aws-lambda`. */
export interface ClientContext {
  readonly client: {
    readonly installationId: string;
    readonly appTitle: string;
    readonly appVersionName: string;
    readonly appVersionCode: string;
    readonly appPackageName: string;
  };
  readonly Custom?: unknown;
  readonly env: {
    readonly platformVersion: string;
    readonly platform: string;
    readonly make: string;
    readonly model: string;
    readonly locale: string;
  };
  readonly [key: string]: unknown;
}

/** Cognito identity (`Lambda-Runtime-Cognito-Identity`). */
export interface CognitoIdentity {
  readonly cognitoIdentityId: string;
  readonly cognitoIdentityPoolId: string;
}

/**
 * The key of {@link InvocationContext}'s optional release method, which the runtime loop calls once
 * an invocation is answered. A context builder that keeps per-invocation resources (a timer, a
 * pooled buffer) implements it; a builder that wraps another and returns the base's context gets it
 * along with the context.
 *
 * @example
 * ```ts
 * class PooledContext extends DefaultInvocationContext {
 *   readonly scratch = pool.take();
 *   override [RELEASE_CONTEXT](): void {
 *     super[RELEASE_CONTEXT]();
 *     pool.give(this.scratch);
 *   }
 * }
 * ```
 */
export const RELEASE_CONTEXT: unique symbol = Symbol.for('@lambda-runtime/releaseContext');

/**
 * What a handler receives as its second argument. Field names and types follow the managed
 * Node.js runtime's context so existing `(event, context)` handlers run unchanged.
 */
export interface InvocationContext {
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  /** Epoch milliseconds after which the platform stops the invocation. */
  readonly deadlineMs: number;
  readonly functionName: string;
  readonly functionVersion: string;
  /** A string, as in the managed runtime. */
  readonly memoryLimitInMB: string;
  /** Empty when the platform does not set it (SnapStart). */
  readonly logGroupName: string;
  /** Empty when the platform does not set it (SnapStart). */
  readonly logStreamName: string;
  /** The X-Ray trace header of this invocation. */
  readonly traceId: string | undefined;
  readonly clientContext: ClientContext | undefined;
  readonly identity: CognitoIdentity | undefined;
  readonly tenantId: string | undefined;
  /**
   * For callback-style handlers, as in the managed runtime: when `true` (the default) the response
   * given to `callback` is sent once the event loop is empty; when `false`, at once.
   */
  callbackWaitsForEmptyEventLoop: boolean;
  /** Milliseconds left before the deadline; zero or negative once it has passed. */
  getRemainingTimeInMillis(): number;
  /**
   * Managed-runtime completion: `done(error)` fails the invocation, `done(null, result)` answers it.
   * Bound to this invocation by the runtime loop; the first completion wins.
   */
  done(error?: Error | string | null, result?: unknown): void;
  /** Managed-runtime completion: answers the invocation with `result`. */
  succeed(result?: unknown): void;
  /** Managed-runtime completion: fails the invocation with `error`. */
  fail(error: Error | string): void;
  /**
   * Aborts when the invocation's deadline (`deadlineMs`, from `Lambda-Runtime-Deadline-Ms`) passes,
   * like `AbortSignal.timeout()` anchored to the deadline: its `reason` is an error named
   * `TimeoutError` (errorType `Runtime.DeadlineExceeded`) that names the request id and the deadline.
   * Under Lambda Managed Instances a handler that runs past its deadline is not stopped by the
   * platform; pass the signal to `fetch`, the AWS SDK (`abortSignal`) or check it in your own loops
   * to stop on time. In single-concurrency mode it aborts at the same moment, just before the
   * platform's timeout.
   *
   * Made on first read, so a handler that never reads it pays nothing. Once the invocation is
   * answered its timer is cleared: it never aborts after that. A spread copy of the context
   * (`{ ...context }`) does not carry it (it is a getter); pass `context` itself, or read
   * `context.signal` first.
   *
   * @example
   * ```ts
   * export const handler = async (event: { url: string }, context: InvocationContext) => {
   *   const response = await fetch(event.url, { signal: context.signal });
   *   return response.json();
   * };
   * // With the AWS SDK v3: await s3.send(new GetObjectCommand(input), { abortSignal: context.signal });
   * // In a loop: for (const item of items) { context.signal.throwIfAborted(); await process(item); }
   * ```
   */
  readonly signal: AbortSignal;
  /**
   * Called by the runtime loop once the invocation is answered (its handler completed), so the
   * context can release what it holds for this invocation; the default context clears the timer
   * behind {@link InvocationContext.signal}. Optional: a context without it holds nothing to release.
   */
  [RELEASE_CONTEXT]?(): void;
}

/**
 * Builds the context of one invocation. Swap it to add fields to every context.
 *
 * The context must carry every {@link InvocationContext} member. Wrapping the default builder and
 * extending its context (`Object.assign`, as below) keeps them all, including the lazy
 * {@link InvocationContext.signal} and its release. A builder that makes its contexts from scratch
 * must provide `signal` itself (`DeadlineSignal` in `@lambda-runtime/context` makes one that aborts
 * at the deadline) and release its timer in a {@link RELEASE_CONTEXT} method.
 *
 * @example
 * ```ts
 * class TenantContextBuilder implements ContextBuilder<InvocationContext & { tenant: Tenant }> {
 *   constructor(private readonly base: ContextBuilder) {}
 *   build(invocation: Invocation) {
 *     const context = this.base.build(invocation);
 *     return Object.assign(context, { tenant: parseTenant(context.tenantId) });
 *   }
 * }
 * ```
 */
export interface ContextBuilder<C extends InvocationContext = InvocationContext> {
  /** @throws {@link MalformedInvocationError} when a header cannot be used (invalid JSON, bad deadline). */
  build(invocation: Invocation): C;
}

/** The serialized result of a handler. */
export interface EncodedPayload {
  readonly body: Uint8Array | string;
  readonly contentType: string;
}

/**
 * Decodes events and encodes results.
 *
 * @example
 * ```ts
 * const event = codec.decode(invocation.body, invocation.contentType);
 * const { body, contentType } = codec.encode(result);
 * ```
 */
export interface PayloadCodec {
  /** @throws {@link MalformedEventError} when the body does not match its content type. */
  decode(body: Uint8Array, contentType: string): unknown;
  /** @throws {@link SerializationError} when the value cannot be serialized. */
  encode(result: unknown): EncodedPayload;
}

/** A source of the current time, so deadlines can be tested. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
