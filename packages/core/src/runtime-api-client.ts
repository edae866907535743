import {
  boundErrorDocument,
  DEFAULT_EVENT_CONTENT_TYPE,
  type EncodedPayload,
  type ErrorDocument,
  type Invocation,
  ProtocolError,
  RuntimeApiError,
  RuntimeApiPath,
  RuntimeHeader,
  type Transport,
  type TransportResponse,
} from '@lambda-runtime/api';
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
}

/** The default `User-Agent`; its first token is what Lambda records as the runtime release. */
export const DEFAULT_USER_AGENT = `lambda-runtime/${VERSION} node/${process.versions.node}`;

const JSON_CONTENT_TYPE = 'application/json';
// Header values must be visible ASCII; a user error name with a newline or emoji would otherwise make
// the HTTP client throw and turn a function error into a fatal transport failure.
const UNSAFE_HEADER_CHARS = /[^\x20-\x7e]/g;
const MAX_ERROR_TYPE_HEADER = 1024;
const EMPTY_BODY = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * Speaks the Runtime API over any {@link Transport}: paths, `Lambda-Runtime-*` headers, error
 * documents and the status policy live here and nowhere else.
 *
 * Status policy: `/next` accepts only 200 (anything else throws {@link RuntimeApiError}); posts
 * return `{ status, apiErrorType }` for 2xx and 4xx (the invocation is settled, go on) and throw
 * {@link RuntimeApiError} for 5xx and any other status (the container is broken, exit).
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

  constructor(transport: Transport, options: RuntimeApiClientOptions = {}) {
    this.transport = transport;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.redact = options.redact;
    this.nextHeaders = { [RuntimeHeader.userAgent]: this.userAgent };
  }

  /**
   * Long-polls `GET /runtime/invocation/next`.
   *
   * @throws {@link RuntimeApiError} on any status but 200; {@link ProtocolError} when the answer has
   * no request id; `TransportError` from the transport.
   */
  async next(): Promise<Invocation> {
    const response = await this.transport.request({
      method: 'GET',
      path: RuntimeApiPath.next,
      headers: this.nextHeaders,
    });
    if (response.status !== 200) {
      throw apiError('GET /runtime/invocation/next', response);
    }
    return toInvocation(response);
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

  private async post(
    path: string,
    headers: Record<string, string>,
    body: Uint8Array | string,
  ): Promise<PostResult> {
    const response = await this.transport.request({ method: 'POST', path, headers, body });
    const { status } = response;
    if (status >= 200 && status < 300) {
      return { status };
    }
    if (status >= 400 && status < 500) {
      return { status, apiErrorType: readApiErrorType(response.body) };
    }
    throw apiError(`POST ${path}`, response);
  }
}

function toInvocation(response: TransportResponse): Invocation {
  const headers = lowerCaseNames(response.headers);
  const requestId = present(headers[RuntimeHeader.requestId]);
  if (requestId === undefined) {
    throw new ProtocolError(`GET /runtime/invocation/next answered 200 without ${RuntimeHeader.requestId}`);
  }
  return {
    requestId,
    deadlineMs: present(headers[RuntimeHeader.deadlineMs]),
    invokedFunctionArn: present(headers[RuntimeHeader.invokedFunctionArn]),
    traceId: present(headers[RuntimeHeader.traceId]),
    clientContext: present(headers[RuntimeHeader.clientContext]),
    cognitoIdentity: present(headers[RuntimeHeader.cognitoIdentity]),
    tenantId: present(headers[RuntimeHeader.tenantId]),
    contentType: present(headers[RuntimeHeader.contentType]) ?? DEFAULT_EVENT_CONTENT_TYPE,
    headers,
    body: response.body ?? EMPTY_BODY,
  };
}

// The transport contract promises lower-case names; copying only when one is not keeps a
// non-conforming third-party transport from breaking header lookup.
function lowerCaseNames(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const name of Object.keys(headers)) {
    if (name !== name.toLowerCase()) {
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
