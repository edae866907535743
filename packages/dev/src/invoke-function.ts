import { DevToolError } from './dev-tool-error.js';

/** Where `lambda-dev watch` and `lambda-runtime-emulator` listen unless told otherwise. */
export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:9000';

/** The Invoke API's limit on `X-Amz-Client-Context` (base64). */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

/** Options of {@link invokeFunction}. */
export interface InvokeFunctionOptions {
  /** The emulator's origin. Default {@link DEFAULT_EMULATOR_URL}. */
  readonly url?: string;
  /** The event, as JSON text. */
  readonly payload: string | Uint8Array;
  /** `X-Amz-Client-Context`: base64 of a JSON object (see {@link clientContextHeader}). */
  readonly clientContext?: string;
  /** The function in the Invoke API path. Default `function`, the name the emulators serve. */
  readonly functionName?: string;
}

/** How an invocation ended, as the Invoke API said it. */
export interface FunctionInvocation {
  /** The HTTP status: 200 for a result or a function error, 4xx/5xx when the invoke itself failed. */
  readonly status: number;
  /** The result, the function's error document, or the API's error body. */
  readonly payload: Buffer;
  readonly contentType: string | undefined;
  /** `X-Amz-Function-Error` (`Unhandled`, `Handled`) when the function failed. */
  readonly functionError: string | undefined;
  readonly requestId: string | undefined;
  /** For a 4xx/5xx: the error type (`TooManyRequestsException`, ...) and message the API gave. */
  readonly apiError: { readonly type: string; readonly message: string } | undefined;
}

/**
 * Invokes the function behind a running emulator through the Invoke API's endpoint
 * (`POST /2015-03-31/functions/<name>/invocations`), as `lambda-dev invoke` does.
 *
 * @throws {@link DevToolError} `ERR_CONNECT` when nothing listens at `url`; `ERR_USAGE` for a URL
 * that is not `http(s)://`.
 *
 * @example
 * ```ts
 * const done = await invokeFunction({ payload: '{"orderId":"1001"}' });
 * if (done.functionError === undefined && done.apiError === undefined) console.log(done.payload.toString());
 * ```
 */
export async function invokeFunction(options: InvokeFunctionOptions): Promise<FunctionInvocation> {
  const origin = options.url ?? DEFAULT_EMULATOR_URL;
  const target = invokeUrl(origin, options.functionName ?? 'function');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.clientContext !== undefined) headers['x-amz-client-context'] = options.clientContext;
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers, body: options.payload });
  } catch (error) {
    const { code, message } = networkFailure(error);
    const start =
      "Start one in the function's folder with 'lambda-dev watch' (or 'lambda-runtime-emulator -- ./bootstrap'), or point --url at it";
    throw new DevToolError(
      'ERR_CONNECT',
      code === 'ECONNREFUSED'
        ? `no emulator is listening at ${origin} (connection refused). ${start}`
        : `cannot reach an emulator at ${origin} (${code ?? message}). ${start}`,
      { cause: error },
    );
  }
  const payload = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get('content-type') ?? undefined;
  return {
    status: response.status,
    payload,
    contentType,
    functionError: response.headers.get('x-amz-function-error') ?? undefined,
    requestId: response.headers.get('x-amzn-requestid') ?? undefined,
    apiError: response.status >= 400 ? apiError(response, payload) : undefined,
  };
}

/**
 * `--client-context` as the Invoke API takes it: base64 of a JSON object. Accepts the JSON object
 * itself (encoded here) or its base64.
 *
 * @throws {@link DevToolError} `ERR_USAGE` for anything else, or above 3,583 bytes encoded.
 *
 * @example
 * ```ts
 * clientContextHeader('{"custom":{"tenant":"acme"}}'); // 'eyJjdXN0b20iOnsidGVuYW50IjoiYWNtZSJ9fQ=='
 * ```
 */
export function clientContextHeader(value: string): string {
  const text = value.trim();
  let encoded: string | undefined;
  if (isJsonObject(text)) encoded = Buffer.from(text, 'utf8').toString('base64');
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && isJsonObject(Buffer.from(text, 'base64').toString('utf8')))
    encoded = text;
  if (encoded === undefined) {
    throw new DevToolError(
      'ERR_USAGE',
      '--client-context must be a JSON object (e.g. \'{"custom":{"tenant":"acme"}}\') or its base64',
    );
  }
  if (encoded.length > MAX_CLIENT_CONTEXT_BYTES) {
    throw new DevToolError(
      'ERR_USAGE',
      `--client-context is ${encoded.length} bytes in base64; the Invoke API takes at most ${MAX_CLIENT_CONTEXT_BYTES}`,
    );
  }
  return encoded;
}

function invokeUrl(origin: string, functionName: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new DevToolError(
      'ERR_USAGE',
      `--url must be an http:// URL such as ${DEFAULT_EMULATOR_URL}, not '${origin}'`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DevToolError(
      'ERR_USAGE',
      `--url must be an http:// URL such as ${DEFAULT_EMULATOR_URL}, not '${origin}'`,
    );
  }
  const base = url.pathname.replace(/\/+$/, '');
  url.pathname = `${base}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  return url;
}

/** The error type and message of an Invoke API error, in either shape it comes in. */
function apiError(response: Response, payload: Buffer): { type: string; message: string } {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the text is the message.
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  // The AWS API names the type in a header (`TooManyRequestsException:http://...`) and the body says
  // `{"Type":"User","message":...}`; the emulators answer `{"errorType","errorMessage"}`.
  const type =
    text(response.headers.get('x-amzn-errortype')?.split(':')[0]) ??
    text(body.errorType) ??
    text(body.__type) ??
    text(body.Type) ??
    response.statusText;
  const message =
    text(body.errorMessage) ?? text(body.message) ?? text(body.Message) ?? payload.toString('utf8').trim();
  return { type, message };
}

/** The system error code (`ECONNREFUSED`, ...) and the innermost message of a failed fetch. */
function networkFailure(error: unknown): { code: string | undefined; message: string } {
  let message = String(error);
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    message = current.message;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return { code, message };
    current = current.cause;
  }
  return { code: undefined, message };
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
