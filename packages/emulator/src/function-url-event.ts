import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The event a Lambda function URL (and an API Gateway HTTP API) hands the function: payload format
 * version 2.0. Its shape is checked against `@types/aws-lambda`'s `APIGatewayProxyEventV2` where it
 * is built.
 */
export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: '$default';
    readonly stage: '$default';
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** What the event needs besides the request. */
export interface FunctionUrlEventContext {
  /** The invocation's request id (also the event's `requestContext.requestId`). */
  readonly requestId: string;
  readonly accountId: string;
  readonly functionName: string;
  /** Arrival time of the request, ms since epoch. */
  readonly timeEpoch: number;
  /** The `x-amzn-trace-id` header when the caller sent none (as the function URL adds one). */
  readonly traceId?: string;
}

/**
 * Bodies passed as text (`isBase64Encoded: false`); anything else is base64, as function URLs do
 * for binary content. Form posts count as binary there too.
 */
const TEXT_CONTENT_TYPE =
  /^(?:text\/[^;\s]+|application\/(?:json|javascript|xml|[\w.+-]+\+json|[\w.+-]+\+xml))\s*(?:;|$)/i;

/**
 * Turns a plain HTTP request into the payload-2.0 event a function URL sends: header names lower
 * case with repeated values comma-joined (plus the `x-forwarded-*` and `x-amzn-trace-id` headers
 * the function URL adds when absent), `Cookie` moved to `cookies`, the query both raw and parsed
 * (repeated keys comma-joined), a text body as is and any other body base64-encoded.
 *
 * @example
 * ```ts
 * const event = functionUrlEvent(request, body, { requestId, accountId, functionName, timeEpoch: Date.now() });
 * ```
 */
export function functionUrlEvent(
  request: IncomingMessage,
  body: Buffer,
  context: FunctionUrlEventContext,
): FunctionUrlEvent {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  const host = headers.host ?? `${request.socket.localAddress ?? '127.0.0.1'}:${request.socket.localPort}`;
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  // What the function URL's own proxy adds, so code that builds links from them works locally.
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '');
  if (context.traceId !== undefined) headers['x-amzn-trace-id'] ??= context.traceId;
  const urlId = createHash('sha256').update(context.functionName).digest('hex').slice(0, 32);
  const contentType = headers['content-type'] ?? '';
  const text = TEXT_CONTENT_TYPE.test(contentType);
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...queryParameters(rawQueryString),
    requestContext: {
      accountId: context.accountId,
      apiId: urlId,
      domainName: host,
      domainPrefix: host.split(/[.:]/, 1)[0] ?? host,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(new Date(context.timeEpoch)),
      timeEpoch: context.timeEpoch,
    },
    ...(body.length > 0 ? { body: body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  } as const satisfies APIGatewayProxyEventV2 & FunctionUrlEvent;
  return event;
}

/** Header names lower-cased, repeats comma-joined in arrival order; `Cookie` values become `cookies`. */
function collectHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  cookies: string[];
} {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed !== '') cookies.push(trimmed);
      }
      continue;
    }
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : `${earlier},${value}`;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): { queryStringParameters?: Record<string, string> } {
  if (rawQueryString === '') return {};
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const earlier = parameters[name];
    parameters[name] = earlier === undefined ? value : `${earlier},${value}`;
  }
  return Object.keys(parameters).length > 0 ? { queryStringParameters: parameters } : {};
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `07/Sep/2021:22:50:22 +0000`, the `requestContext.time` format (Common Log Format, UTC). */
function clfTime(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
