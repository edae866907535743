/**
 * The runtime's own errors. Each has a stable `errorType` (the wire type, `Runtime.*`) and keeps
 * the underlying failure as `cause`.
 */

/** Marks every instance, so that a second installed copy of this package recognises it (see below). */
const BRAND = Symbol.for('@lambda-runtime/api/LambdaRuntimeError');

/**
 * Base class of every error the runtime raises itself.
 *
 * `instanceof` works across duplicate installs of `@lambda-runtime/api` (a transport built against
 * one copy, the runtime against another): besides the prototype chain, it accepts an instance of
 * the same class from another copy, recognised by a `Symbol.for` brand and the class's stable
 * `errorType`. Class names are not used: bundlers may rename classes.
 *
 * @example
 * ```ts
 * try { await transport.request({ method: 'GET', path: '/' }); }
 * catch (error) { if (error instanceof LambdaRuntimeError) logger.error(error.errorType); }
 * ```
 */
export abstract class LambdaRuntimeError extends Error {
  /** The type reported to the Runtime API, e.g. `Runtime.TransportError`. */
  abstract readonly errorType: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `value instanceof C` for `C` this class or one of ours below it: true for instances by
   * prototype, and for branded instances of the same `errorType` from another copy of the package.
   * A subclass declared elsewhere (without its own static `errorType`) matches by prototype only.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof`, one per subclass.
    return isInstance(this, value);
  }
}

/** `value instanceof errorClass`, across copies of this package (see {@link LambdaRuntimeError}). */
function isInstance(errorClass: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(errorClass, value)) return true;
  if (typeof value !== 'object' || value === null || (value as { [BRAND]?: unknown })[BRAND] !== true) {
    return false;
  }
  if (errorClass === LambdaRuntimeError) return true;
  // Only our own classes declare a static errorType; a subclass declared elsewhere matches by prototype.
  const errorType = Object.hasOwn(errorClass, 'errorType')
    ? (errorClass as { errorType?: unknown }).errorType
    : undefined;
  return typeof errorType === 'string' && (value as { errorType?: unknown }).errorType === errorType;
}

/**
 * What had arrived of an answer when its exchange failed: enough to tell that the server had begun
 * answering (so the request must not be sent again blindly), and the header fields that could be
 * read. For a head too large to accept, `headers` holds the fields the transport read anyway.
 */
export interface PartialResponse {
  /** The status, when the status line had arrived. */
  readonly status: number | undefined;
  /** `true` when the whole head had arrived (the body was cut short or malformed). */
  readonly headComplete: boolean;
  /** The header fields read, as in `TransportResponse.headers` (possibly none). */
  readonly headers: Readonly<Record<string, string>>;
  /** As in `TransportResponse.repeated`. */
  readonly repeated?: Readonly<Record<string, readonly string[]>> | undefined;
}

/**
 * A transport could not complete an HTTP exchange (connection refused or reset, socket error,
 * malformed answer). `response` tells whether any of the answer had arrived.
 */
export class TransportError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.TransportError';
  readonly errorType = TransportError.errorType;
  /** The system or library error code when there is one, e.g. `ECONNREFUSED`. */
  readonly code: string | undefined;
  /**
   * What had arrived of the answer, `undefined` when not one byte of it had: then the request may be
   * sent again without losing an answer (it may still have been processed, though).
   */
  readonly response: PartialResponse | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string; response?: PartialResponse }) {
    super(message, options);
    this.code = options?.code;
    this.response = options?.response;
  }

  /**
   * Wraps whatever an HTTP library threw for one exchange, keeping its `code` and the error itself
   * as `cause`, so nothing above the transport needs to know the library.
   *
   * @param response - What had arrived of the answer, when anything had (see {@link TransportError.response}).
   * @example
   * ```ts
   * try { return await client.request(options); }
   * catch (error) { throw TransportError.wrap(request, error); }
   * ```
   */
  static wrap(
    request: { readonly method: string; readonly path: string },
    error: unknown,
    response?: PartialResponse,
  ): TransportError {
    const code = (error as { code?: unknown } | null | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    return new TransportError(`${request.method} ${request.path} failed: ${message}`, {
      cause: error,
      ...(typeof code === 'string' ? { code } : {}),
      ...(response === undefined ? {} : { response }),
    });
  }
}

/** The Runtime API answered with a status the protocol does not allow us to continue after. */
export class RuntimeApiError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.ApiError';
  readonly errorType = RuntimeApiError.errorType;
  readonly status: number;
  /** `errorType` from the Runtime API's error body, when it sent one. */
  readonly apiErrorType: string | undefined;

  constructor(
    message: string,
    options: { status: number; apiErrorType?: string | undefined; cause?: unknown },
  ) {
    super(message, options);
    this.status = options.status;
    this.apiErrorType = options.apiErrorType;
  }
}

/** A `/next` answer breaks the protocol (for example it has no request id): fatal, never an invocation. */
export class ProtocolError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.ProtocolError';
  readonly errorType = ProtocolError.errorType;
}

/** One or more reserved environment variables are missing or malformed. */
export class EnvironmentError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.InvalidEnvironment';
  readonly errorType = EnvironmentError.errorType;
  /** One line per variable, e.g. `AWS_LAMBDA_RUNTIME_API is not set`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid Lambda environment: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** The invocation's headers are unusable (bad deadline, client context or identity JSON). */
export class MalformedInvocationError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.MalformedInvocation';
  readonly errorType = MalformedInvocationError.errorType;
}

/** The event body cannot be decoded as its content type says (for example invalid JSON). */
export class MalformedEventError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.MalformedEvent';
  readonly errorType = MalformedEventError.errorType;
}

/** The handler's result cannot be serialized (circular structure, BigInt, ...). */
export class SerializationError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.SerializationError';
  readonly errorType = SerializationError.errorType;
}

/** The serialized result is larger than the platform accepts ({@link MAX_RESPONSE_BYTES}). */
export class ResponseSizeTooLargeError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.ResponseSizeTooLarge';
  readonly errorType = ResponseSizeTooLargeError.errorType;
}

/** The handler named by `_HANDLER` (or returned by the initializer) is missing or not a function. */
export class HandlerNotFoundError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.HandlerNotFound';
  readonly errorType = HandlerNotFoundError.errorType;
}

/** `_HANDLER` is not of the form `[dir/]module.export[.nested]`, or climbs out of the task root. */
export class MalformedHandlerNameError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.MalformedHandlerName';
  readonly errorType = MalformedHandlerNameError.errorType;
}

/** The handler's module cannot be found, or a `require` while it loads finds nothing (`MODULE_NOT_FOUND`). */
export class ImportModuleError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.ImportModuleError';
  readonly errorType = ImportModuleError.errorType;
}

/** The handler's module (or one it imports) is not valid JavaScript. */
export class UserCodeSyntaxError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.UserCodeSyntaxError';
  readonly errorType = UserCodeSyntaxError.errorType;
}

/** A promise rejected with no handler attached while an invocation ran (or during init). */
export class UnhandledPromiseRejectionError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.UnhandledPromiseRejection';
  readonly errorType = UnhandledPromiseRejectionError.errorType;
}

/**
 * The event loop ran empty while the handler's promise was still pending (or a callback-style
 * handler never called back): nothing is left that could ever settle it.
 */
export class HandlerNeverSettledError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.HandlerNeverSettled';
  readonly errorType = HandlerNeverSettledError.errorType;
}

/** The event does not match the schema the handler declared; names the failing path. */
export class InvalidEventError extends LambdaRuntimeError {
  static readonly errorType = 'Runtime.InvalidEvent';
  readonly errorType = InvalidEventError.errorType;
  /** One entry per problem, e.g. `Records.0.body: Invalid type: Expected string`. */
  readonly issues: readonly string[];

  constructor(message: string, options?: { cause?: unknown; issues?: readonly string[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
}
