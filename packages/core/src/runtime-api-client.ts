import {
  boundErrorDocument,
  DEFAULT_EVENT_CONTENT_TYPE,
  type EncodedPayload,
  type ErrorDocument,
  type Invocation,
  type Logger,
  MalformedInvocationError,
  type PartialResponse,
  ProtocolError,
  RuntimeApiError,
  RuntimeApiPath,
  RuntimeHeader,
  type Transport,
  TransportError,
  type TransportResponse,
  toErrorDocument,
} from '@lambda-runtime/api';
import {
  BufferedFallbackPost,
  type StreamedResponsePost,
  TransportStreamedPost,
} from './streamed-response-post.js';
import { VERSION } from './version.js';
import { xrayErrorCause } from './xray-error-cause.js';

/** What a post to `/response`, `/error` or `/init/error` got back, when the runtime may go on. */
export interface PostResult {
  /** The HTTP status (2xx accepted, 4xx rejected for this request id only). */
  readonly status: number;
  /** `errorType` of the Runtime API's error body on a 4xx, when it sent one. */
  readonly apiErrorType?: string | undefined;
}

/** Options of {@link RuntimeApiClient}. */
export interface RuntimeApiClientOptions {
  /** The `User-Agent` sent on every request (default `lambda-runtime/<version> node/<version>`). */
  readonly userAgent?: string;
  /**
   * Applied to the type, message and stack lines of every error document before it is posted,
   * e.g. `LambdaEnvironment.redact`, so a secret in an error message never leaves the process.
   */
  readonly redact?: (text: string) => string;
  /**
   * Where {@link RuntimeApiClient.next} reports the malformed invocations it answers on `/error`
   * itself (see there). Without it, they are answered silently.
   */
  readonly logger?: Logger;
}

/** The §3.1 headers that hold one value each (all of them). */
const SINGLE_VALUED = [
  RuntimeHeader.requestId,
  RuntimeHeader.deadlineMs,
  RuntimeHeader.invokedFunctionArn,
  RuntimeHeader.traceId,
  RuntimeHeader.clientContext,
  RuntimeHeader.cognitoIdentity,
  RuntimeHeader.tenantId,
  RuntimeHeader.contentType,
] as const;
type SingleValued = (typeof SINGLE_VALUED)[number];

/** Several different values of a single-valued header. */
class Conflict {
  constructor(readonly values: readonly string[]) {}
}

/** A `/next` answer that cannot become an invocation, and the request ids it must be answered for. */
class Unusable {
  constructor(
    readonly requestIds: readonly string[],
    readonly reason: string,
    readonly cause?: unknown,
  ) {}
}

/** The default `User-Agent`; its first token is what Lambda records as the runtime release. */
export const DEFAULT_USER_AGENT = `lambda-runtime/${VERSION} node/${process.versions.node}`;

const JSON_CONTENT_TYPE = 'application/json';
// Header values must be visible ASCII; a user error name with a newline or emoji would otherwise make
// the HTTP client throw and turn a function error into a fatal transport failure.
const UNSAFE_HEADER_CHARS = /[^\x20-\x7e]/g;
const MAX_ERROR_TYPE_HEADER = 1024;
const EMPTY_BODY = new Uint8Array(0);
const STREAMING_RESPONSE_MODE = 'streaming';
// Trailer names as the protocol document spells them (names are case-insensitive on the wire).
const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';
const TRAILER_DOCUMENT_CHARS = 8 * 1024;
const MAX_TRAILER_BYTES = 12 * 1024;
const utf8 = new TextDecoder();

/**
 * Speaks the Runtime API over any {@link Transport}: paths, `Lambda-Runtime-*` headers, error
 * documents and the status policy live here and nowhere else.
 *
 * Status policy: `/next` accepts only 200 (anything else throws {@link RuntimeApiError}); posts
 * return `{ status, apiErrorType }` for 2xx and 4xx (the invocation is settled, go on) and throw
 * {@link RuntimeApiError} for 5xx and any other status (the container is broken, exit).
 *
 * Invocation policy of {@link RuntimeApiClient.next} (every invocation received is answered, and
 * `/next` is never called again before that, checklist items 16 and 17):
 * - Header values are text (the transport decodes them as UTF-8); the request id goes back in
 *   the `/response` and `/error` paths percent-encoded once, from the bytes it arrived as.
 * - Every §3.1 header is single-valued. A header repeated with identical values (blank ones
 *   ignored) counts once. Repeated with different values, it makes the invocation malformed: it
 *   is answered on `/error` with `Runtime.MalformedInvocation` and never reaches the handler;
 *   for the request id itself, every id named is answered so (the one that is current gets the
 *   error, the others a 400, which is logged).
 * - A `/next` answer that began to arrive but cannot be used (a head over the transport's limit,
 *   a malformed head, a body cut short; `TransportError.response` is set) is answered the same way
 *   when its request id can be read, and is a fatal {@link ProtocolError} when it cannot. Only a
 *   `/next` of which not one answer byte arrived fails with the transport's `TransportError` (the
 *   loop may then poll again: nothing was delivered).
 *
 * @example
 * ```ts
 * const client = new RuntimeApiClient(new UndiciTransport({ origin: 'http://127.0.0.1:9001' }));
 * const invocation = await client.next();
 * await client.postResponse(invocation.requestId, { body: '{"ok":true}', contentType: 'application/json' });
 * ```
 */
export class RuntimeApiClient {
  private readonly transport: Transport;
  private readonly nextHeaders: Readonly<Record<string, string>>;
  private readonly userAgent: string;
  private readonly redact: ((text: string) => string) | undefined;
  private readonly logger: Logger | undefined;

  constructor(transport: Transport, options: RuntimeApiClientOptions = {}) {
    this.transport = transport;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.redact = options.redact;
    this.logger = options.logger;
    this.nextHeaders = { [RuntimeHeader.userAgent]: this.userAgent };
  }

  /**
   * Long-polls `GET /runtime/invocation/next` until it delivers a usable invocation. A malformed
   * one (see the class's invocation policy) is answered on `/error` here and the poll repeated.
   *
   * @throws {@link RuntimeApiError} on any status but 200 (and on a 5xx to an `/error` posted
   * here); {@link ProtocolError} when an answer has no readable request id, or when the `/error`
   * for a malformed one could not be delivered; `TransportError` from the transport only when no
   * byte of an answer arrived.
   */
  async next(): Promise<Invocation> {
    for (;;) {
      let response: TransportResponse;
      try {
        response = await this.transport.request({
          method: 'GET',
          path: RuntimeApiPath.next,
          headers: this.nextHeaders,
        });
      } catch (error) {
        await this.answerUnusable(unusableAnswer(error));
        continue;
      }
      if (response.status !== 200) {
        throw apiError('GET /runtime/invocation/next', response);
      }
      const invocation = toInvocation(response);
      if (invocation instanceof Unusable) {
        await this.answerUnusable(invocation);
        continue;
      }
      return invocation;
    }
  }

  /** Answers every id of an unusable `/next` answer on `/error`, so that none is lost. */
  private async answerUnusable(unusable: Unusable): Promise<void> {
    const error = new MalformedInvocationError(unusable.reason, { cause: unusable.cause });
    const document = toErrorDocument(error);
    for (const requestId of unusable.requestIds) {
      this.logger?.error(
        { requestId, errorType: document.errorType, errorMessage: document.errorMessage },
        'Invoke Error',
      );
      let posted: PostResult;
      try {
        posted = await this.postError(requestId, document);
      } catch (postError) {
        // A TransportError here must not reach a caller that would poll /next again: the
        // invocation would be skipped unanswered.
        if (!(postError instanceof TransportError)) throw postError;
        throw new ProtocolError(
          `Could not answer the malformed invocation ${requestId} on /error: ${postError.message}`,
          { cause: postError },
        );
      }
      if (posted.status >= 400) {
        this.logger?.error(
          { requestId, status: posted.status, apiErrorType: posted.apiErrorType },
          `Runtime API rejected /error with ${posted.status} ${posted.apiErrorType ?? ''}`.trimEnd(),
        );
      }
    }
  }

  /** Posts a buffered result to `/runtime/invocation/{id}/response` (never sends a response-mode header). */
  postResponse(requestId: string, payload: EncodedPayload): Promise<PostResult> {
    return this.post(
      RuntimeApiPath.response(requestId),
      { [RuntimeHeader.userAgent]: this.userAgent, [RuntimeHeader.contentType]: payload.contentType },
      payload.body,
    );
  }

  /**
   * Posts an error document to `/runtime/invocation/{id}/error`, with its X-Ray error cause
   * (`Lambda-Runtime-Function-XRay-Error-Cause`) when that fits a header.
   */
  postError(requestId: string, document: ErrorDocument): Promise<PostResult> {
    return this.postErrorDocument(RuntimeApiPath.error(requestId), document, true);
  }

  /** Posts an error document to `/runtime/init/error` (only before the first `/next`). */
  postInitError(document: ErrorDocument): Promise<PostResult> {
    return this.postErrorDocument(RuntimeApiPath.initError, document, false);
  }

  private postErrorDocument(
    path: string,
    document: ErrorDocument,
    withXrayCause: boolean,
  ): Promise<PostResult> {
    const canonical = canonicalDocument(document, this.redact);
    const headers: Record<string, string> = {
      [RuntimeHeader.userAgent]: this.userAgent,
      [RuntimeHeader.contentType]: JSON_CONTENT_TYPE,
      [RuntimeHeader.functionErrorType]: headerSafe(canonical.errorType),
    };
    const cause = withXrayCause ? xrayErrorCause(canonical) : undefined;
    if (cause !== undefined) headers[RuntimeHeader.xrayErrorCause] = cause;
    return this.post(path, headers, JSON.stringify(canonical));
  }

  /**
   * Opens a streamed answer to `/runtime/invocation/{id}/response` (docs/runtime-api.md section 7):
   * `Lambda-Runtime-Function-Response-Mode: streaming`, the content type, and the `Trailer` header
   * announcing the error trailers; `fail(document)` ends it with `Lambda-Runtime-Function-Error-Type`
   * and `Lambda-Runtime-Function-Error-Body` (base64 of the JSON document, redacted and bounded like
   * every error document). The answer follows the status policy of the posts.
   *
   * A transport without `openStream` gets a buffered fallback: the bytes are collected up to the
   * buffered limit and posted as one `/response` (a failure as `/error`).
   *
   * @param maxBytes - the most bytes the response may carry (the caller enforces it).
   */
  openResponseStream(requestId: string, contentType: string, maxBytes: number): StreamedResponsePost {
    const path = RuntimeApiPath.response(requestId);
    if (this.transport.openStream === undefined) {
      return new BufferedFallbackPost({
        maxBytes,
        respond: (body) => this.postResponse(requestId, { body, contentType }),
        fail: (document) => this.postError(requestId, document),
      });
    }
    const stream = this.transport.openStream({
      method: 'POST',
      path,
      headers: {
        [RuntimeHeader.userAgent]: this.userAgent,
        [RuntimeHeader.functionResponseMode]: STREAMING_RESPONSE_MODE,
        [RuntimeHeader.contentType]: contentType,
        trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
      },
    });
    return new TransportStreamedPost(stream, {
      maxBytes,
      resultOf: (response) => resultOf(`POST ${path}`, response),
      trailersOf: (document) => this.errorTrailers(document),
    });
  }

  /** The error trailers of a failed stream: the type, and the canonical document as base64 JSON. */
  private errorTrailers(document: ErrorDocument): Record<string, string> {
    // A trailer is a header line: bounded well under the 16 KiB a Node.js HTTP parser accepts.
    let body = '';
    for (let maxChars = TRAILER_DOCUMENT_CHARS; ; maxChars = Math.floor(maxChars / 2)) {
      const canonical = boundErrorDocument(
        document,
        this.redact === undefined ? { maxChars } : { redact: this.redact, maxChars },
      );
      body = Buffer.from(JSON.stringify(canonical)).toString('base64');
      if (body.length <= MAX_TRAILER_BYTES || maxChars < 64) {
        return { [ERROR_TYPE_TRAILER]: headerSafe(canonical.errorType), [ERROR_BODY_TRAILER]: body };
      }
    }
  }

  private async post(
    path: string,
    headers: Record<string, string>,
    body: Uint8Array | string,
  ): Promise<PostResult> {
    const response = await this.transport.request({ method: 'POST', path, headers, body });
    return resultOf(`POST ${path}`, response);
  }
}

/** The status policy of every post: 2xx and 4xx are results, anything else throws {@link RuntimeApiError}. */
function resultOf(what: string, response: TransportResponse): PostResult {
  const { status } = response;
  if (status >= 200 && status < 300) {
    return { status };
  }
  if (status >= 400 && status < 500) {
    return { status, apiErrorType: readApiErrorType(response.body) };
  }
  throw apiError(what, response);
}

/**
 * Decides what a failed `/next` means: rethrown when no byte of an answer arrived (or it is not a
 * transport failure); else the ids to answer as malformed, or a fatal error when there are none.
 */
function unusableAnswer(error: unknown): Unusable {
  if (!(error instanceof TransportError) || error.response === undefined) throw error;
  const partial: PartialResponse = error.response;
  if (partial.status !== undefined && partial.status !== 200) {
    throw new RuntimeApiError(`GET /runtime/invocation/next answered ${partial.status} (${error.message})`, {
      status: partial.status,
      cause: error,
    });
  }
  const requestId = singleValue(lowerCaseNames(partial.headers), partial.repeated, RuntimeHeader.requestId);
  if (requestId === undefined) {
    throw new ProtocolError(
      `GET /runtime/invocation/next: an answer arrived but could not be read (${error.message}), and it has no readable ${RuntimeHeader.requestId}`,
      { cause: error },
    );
  }
  const ids = requestId instanceof Conflict ? requestId.values : [requestId];
  return new Unusable(ids, `The invocation could not be read: ${error.message}`, error);
}

function toInvocation(response: TransportResponse): Invocation | Unusable {
  const headers = lowerCaseNames(response.headers);
  const { repeated } = response;
  const requestId = singleValue(headers, repeated, RuntimeHeader.requestId);
  if (requestId instanceof Conflict) {
    return new Unusable(
      requestId.values,
      `The invocation names ${requestId.values.length} different request ids`,
    );
  }
  if (requestId === undefined) {
    throw new ProtocolError(`GET /runtime/invocation/next answered 200 without ${RuntimeHeader.requestId}`);
  }
  const values = {} as Record<SingleValued, string | undefined>;
  const conflicts: string[] = [];
  for (const name of SINGLE_VALUED) {
    const value = singleValue(headers, repeated, name);
    if (value instanceof Conflict) conflicts.push(name);
    else values[name] = value;
  }
  if (conflicts.length > 0) {
    return new Unusable([requestId], `The invocation has different values for ${conflicts.join(', ')}`);
  }
  return {
    requestId,
    deadlineMs: values[RuntimeHeader.deadlineMs],
    invokedFunctionArn: values[RuntimeHeader.invokedFunctionArn],
    traceId: values[RuntimeHeader.traceId],
    clientContext: values[RuntimeHeader.clientContext],
    cognitoIdentity: values[RuntimeHeader.cognitoIdentity],
    tenantId: values[RuntimeHeader.tenantId],
    contentType: values[RuntimeHeader.contentType] ?? DEFAULT_EVENT_CONTENT_TYPE,
    headers,
    body: response.body ?? EMPTY_BODY,
  };
}

/**
 * The one value of a single-valued header: `undefined` when absent or blank; identical repeats
 * (blank ones ignored) count once; different ones are a {@link Conflict}. The transport lists
 * repeats in `repeated` and omits it when none repeated (the transport contract checks this), so
 * a value that is not listed there is one value, taken as it is: an id that reads `x, x` is that
 * id, never `x`.
 */
function singleValue(
  headers: Readonly<Record<string, string>>,
  repeated: Readonly<Record<string, readonly string[]>> | undefined,
  name: string,
): string | Conflict | undefined {
  const values =
    repeated?.[name] ?? (repeated === undefined ? undefined : repeated[findName(repeated, name)]);
  if (values === undefined) return present(headers[name]);
  const distinct = [...new Set(values.map(present).filter((value) => value !== undefined))];
  if (distinct.length <= 1) return distinct[0];
  return new Conflict(distinct);
}

/** The key of `repeated` that is `name` in another case (a transport that did not lower-case it). */
function findName(repeated: Readonly<Record<string, readonly string[]>>, name: string): string {
  for (const key of Object.keys(repeated)) if (key.toLowerCase() === name) return key;
  return name;
}

/** Header names are ASCII tokens, so this is every upper-case letter one can hold. */
const UPPER_CASE = /[A-Z]/;

// The transport contract promises lower-case names; copying only when one is not keeps a
// non-conforming third-party transport from breaking header lookup.
function lowerCaseNames(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  // for-in and a regular expression test allocate nothing in the usual case (names already lower case).
  for (const name in headers) {
    if (UPPER_CASE.test(name)) {
      const lowered: Record<string, string> = {};
      for (const [key, value] of Object.entries(headers)) {
        lowered[key.toLowerCase()] = value;
      }
      return lowered;
    }
  }
  return headers;
}

/** A header that is present but empty (or only blanks) counts as absent. */
function present(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length === 0 ? undefined : trimmed;
}

function headerSafe(value: string): string {
  const cleaned = value.replace(UNSAFE_HEADER_CHARS, '_').slice(0, MAX_ERROR_TYPE_HEADER);
  return cleaned.length === 0 ? 'Runtime.UnknownError' : cleaned;
}

// Redacted, then bounded (see boundErrorDocument): a secret straddling a cut must not survive it.
function canonicalDocument(document: ErrorDocument, redact?: (text: string) => string): ErrorDocument {
  return boundErrorDocument(document, redact === undefined ? {} : { redact });
}

function readApiErrorType(body: Uint8Array | undefined): string | undefined {
  if (body === undefined || body.byteLength === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(utf8.decode(body));
    if (typeof parsed === 'object' && parsed !== null) {
      const errorType = (parsed as { errorType?: unknown }).errorType;
      return typeof errorType === 'string' ? errorType : undefined;
    }
  } catch {
    // A non-JSON error body still leaves the status to act on.
  }
  return undefined;
}

function apiError(what: string, response: TransportResponse): RuntimeApiError {
  const apiErrorType = readApiErrorType(response.body);
  const detail = apiErrorType === undefined ? '' : ` (${apiErrorType})`;
  return new RuntimeApiError(`${what} answered ${response.status}${detail}`, {
    status: response.status,
    apiErrorType,
  });
}
