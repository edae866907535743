/**
 * The runtime's own errors. Each has a stable `errorType` (the wire type, `Runtime.*`) and keeps
 * the underlying failure as `cause`.
 */

/**
 * Base class of every error the runtime raises itself.
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
  }
}

/** A transport could not complete an HTTP exchange (connection refused or reset, socket error). */
export class TransportError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.TransportError';
  /** The system or library error code when there is one, e.g. `ECONNREFUSED`. */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code;
  }

  /**
   * Wraps whatever an HTTP library threw for one exchange, keeping its `code` and the error itself
   * as `cause`, so nothing above the transport needs to know the library.
   *
   * @example
   * ```ts
   * try { return await client.request(options); }
   * catch (error) { throw TransportError.wrap(request, error); }
   * ```
   */
  static wrap(request: { readonly method: string; readonly path: string }, error: unknown): TransportError {
    const code = (error as { code?: unknown } | null | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    return new TransportError(`${request.method} ${request.path} failed: ${message}`, {
      cause: error,
      ...(typeof code === 'string' ? { code } : {}),
    });
  }
}

/** The Runtime API answered with a status the protocol does not allow us to continue after. */
export class RuntimeApiError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.ApiError';
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
  readonly errorType = 'Runtime.ProtocolError';
}

/** One or more reserved environment variables are missing or malformed. */
export class EnvironmentError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.InvalidEnvironment';
  /** One line per variable, e.g. `AWS_LAMBDA_RUNTIME_API is not set`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid Lambda environment: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** The invocation's headers are unusable (bad deadline, client context or identity JSON). */
export class MalformedInvocationError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.MalformedInvocation';
}

/** The event body cannot be decoded as its content type says (for example invalid JSON). */
export class MalformedEventError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.MalformedEvent';
}

/** The handler's result cannot be serialized (circular structure, BigInt, ...). */
export class SerializationError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.SerializationError';
}

/** The serialized result is larger than the platform accepts ({@link MAX_RESPONSE_BYTES}). */
export class ResponseSizeTooLargeError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.ResponseSizeTooLarge';
}

/** The handler named by `_HANDLER` (or returned by the initializer) is missing or not a function. */
export class HandlerNotFoundError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.HandlerNotFound';
}

/** `_HANDLER` is not of the form `[dir/]module.export[.nested]`, or climbs out of the task root. */
export class MalformedHandlerNameError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.MalformedHandlerName';
}

/** The handler's module cannot be found, or a `require` while it loads finds nothing (`MODULE_NOT_FOUND`). */
export class ImportModuleError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.ImportModuleError';
}

/** The handler's module (or one it imports) is not valid JavaScript. */
export class UserCodeSyntaxError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.UserCodeSyntaxError';
}

/** A promise rejected with no handler attached while an invocation ran (or during init). */
export class UnhandledPromiseRejectionError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.UnhandledPromiseRejection';
}

/**
 * The event loop ran empty while the handler's promise was still pending (or a callback-style
 * handler never called back): nothing is left that could ever settle it.
 */
export class HandlerNeverSettledError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.HandlerNeverSettled';
}

/** The event does not match the schema the handler declared; names the failing path. */
export class InvalidEventError extends LambdaRuntimeError {
  readonly errorType = 'Runtime.InvalidEvent';
  /** One entry per problem, e.g. `Records.0.body: Invalid type: Expected string`. */
  readonly issues: readonly string[];

  constructor(message: string, options?: { cause?: unknown; issues?: readonly string[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
}
