/** An HTTP answer of a function URL: what its caller sees. */
export interface FunctionUrlHttpResponse {
  readonly statusCode: number;
  /** Header names as the function wrote them; no `set-cookie` here (see {@link cookies}). */
  readonly headers: Readonly<Record<string, string>>;
  /** One `Set-Cookie` header each. */
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/** Headers the front door frames itself; a function's own values for them are dropped. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * Maps a function's buffered result to the HTTP answer a function URL gives (payload format 2.0,
 * docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload):
 * - a JSON object with a `statusCode` is a structured answer: `statusCode`, `headers` (values
 *   stringified), `cookies` (each a `Set-Cookie`), `body` (base64-decoded when `isBase64Encoded`);
 *   `content-type` defaults to `application/json`;
 * - any other valid JSON (a bare string, an object without `statusCode`, a number...) is the body of
 *   a 200 `application/json` answer, byte for byte (a string keeps its quotes);
 * - anything else (not JSON, a bad `statusCode`, a non-string header value) is `undefined`: the
 *   function URL answers 502.
 *
 * @example
 * ```ts
 * functionUrlResponse(Buffer.from('{"statusCode":201,"body":"made","cookies":["a=1"]}'));
 * // { statusCode: 201, headers: { 'content-type': 'application/json' }, cookies: ['a=1'], body: <made> }
 * ```
 */
export function functionUrlResponse(payload: Buffer): FunctionUrlHttpResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !('statusCode' in parsed)) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: payload };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = parsed;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  const mappedHeaders = mapHeaders(headers);
  const mappedCookies = mapCookies(cookies);
  if (mappedHeaders === undefined || mappedCookies === undefined) return undefined;
  let bytes: Buffer;
  if (body === undefined || body === null) bytes = Buffer.alloc(0);
  else if (typeof body === 'string') bytes = Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8');
  else bytes = Buffer.from(JSON.stringify(body));
  if (!Object.keys(mappedHeaders).some((name) => name.toLowerCase() === 'content-type')) {
    mappedHeaders['content-type'] = 'application/json';
  }
  return { statusCode, headers: mappedHeaders, cookies: mappedCookies, body: bytes };
}

/** The prelude's or the answer's `headers`: string, number or boolean values; `undefined` if not. */
export function mapHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined || headers === null) return {};
  if (!isRecord(headers)) return undefined;
  const mapped: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return undefined;
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower)) continue;
    mapped[name] = String(value);
  }
  return mapped;
}

/** The prelude's or the answer's `cookies`: strings; `undefined` if not. */
export function mapCookies(cookies: unknown): string[] | undefined {
  if (cookies === undefined || cookies === null) return [];
  if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) return undefined;
  return cookies as string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
