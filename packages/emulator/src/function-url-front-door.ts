import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '@lambda-runtime/api';
import { EmulatorClosedError } from './emulator-closed-error.js';
import { functionUrlEvent } from './function-url-event.js';
import { functionUrlResponse } from './function-url-response.js';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  HttpIntegrationPreludeParser,
  type HttpResponsePrelude,
} from './http-integration-prelude.js';
import { MAX_INVOKE_REQUEST_BYTES } from './invoke-front-door.js';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import { isThrottle } from './is-throttle.js';
import { readRequestBody } from './request-body.js';
import type { StreamedResponseTarget } from './streamed-response-target.js';
import { writeWithBackpressure } from './write-with-backpressure.js';

/** What the function URL front door needs from the emulator. */
export interface FunctionUrlHost {
  /** Invokes the function; a streamed `/response` goes to `target` as it arrives. */
  invoke(event: unknown, options: InvokeOptions, target: StreamedResponseTarget): Promise<InvokeResult>;
  readonly accountId: string;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly logger: Logger;
}

/** The body of the 502 a function URL answers when the function fails or answers badly. */
const INTERNAL_SERVER_ERROR = { Message: 'Internal Server Error' };

/**
 * The caller side of a Lambda function URL, on its own listener: every HTTP request (any method
 * and path) becomes a payload-2.0 event ({@link functionUrlEvent}) and the function's answer an
 * HTTP response as function URLs give it ({@link functionUrlResponse}); a function error, a bad
 * answer or a timeout is a 502 `{"Message":"Internal Server Error"}`. When the runtime streams its
 * answer, so does this door: status, headers and cookies from the http-integration prelude, then
 * the bytes as they arrive.
 */
export class FunctionUrlFrontDoor {
  readonly #host: FunctionUrlHost;

  constructor(host: FunctionUrlHost) {
    this.#host = host;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const read = await readRequestBody(request, MAX_INVOKE_REQUEST_BYTES);
    if (read.aborted) return;
    if (read.overLimit) {
      sendJson(response, 413, {
        Message: `Request must be smaller than ${MAX_INVOKE_REQUEST_BYTES} bytes for the InvokeFunction operation`,
      });
      return;
    }
    const host = this.#host;
    const requestId = randomUUID();
    const callerTrace = request.headers['x-amzn-trace-id'];
    const traceId =
      typeof callerTrace === 'string' && callerTrace !== ''
        ? callerTrace
        : `Root=1-${Math.floor(receivedAt / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const event = functionUrlEvent(request, read.body, {
      requestId,
      accountId: host.accountId,
      functionName: host.functionName,
      timeEpoch: receivedAt,
      traceId,
    });
    const stream = new FunctionUrlStream(response, requestId, host.logger);
    let result: InvokeResult;
    try {
      result = await host.invoke(
        event,
        { requestId, traceId, timeoutMs: host.timeoutSeconds * 1000 + 1000 },
        stream,
      );
    } catch (error) {
      host.logger.warn({ err: error, requestId }, 'function URL invocation failed');
      if (stream.begun) return stream.end();
      if (error instanceof EmulatorClosedError) {
        sendJson(response, 503, { Message: 'Service Unavailable' }, requestId);
      } else if (isThrottle(error)) {
        sendJson(response, 429, { Message: 'Rate Exceeded.' }, requestId);
      } else {
        sendJson(response, 502, INTERNAL_SERVER_ERROR, requestId);
      }
      return;
    }
    if (stream.begun) return stream.finish(result);
    if (result.status === 'error') {
      host.logger.info(
        { requestId, errorType: result.errorType },
        'function error: 502 to the function URL caller',
      );
      sendJson(response, 502, INTERNAL_SERVER_ERROR, requestId);
      return;
    }
    const answer = functionUrlResponse(result.payload);
    if (answer === undefined) {
      host.logger.warn({ requestId }, 'the function answered in no shape a function URL accepts: 502');
      sendJson(response, 502, INTERNAL_SERVER_ERROR, requestId);
      return;
    }
    send(response, answer.statusCode, answer.body, withCookies(answer.headers, answer.cookies, requestId));
  }
}

/**
 * A streamed answer on its way to the HTTP caller: the status line and headers go out with the
 * prelude (or at once, as a 200 with the runtime's content type, when there is none), then every
 * payload byte as it arrives.
 */
class FunctionUrlStream implements StreamedResponseTarget {
  readonly #response: ServerResponse;
  readonly #requestId: string;
  readonly #logger: Logger;
  #parser: HttpIntegrationPreludeParser | undefined;
  #begun = false;
  /** The prelude was invalid: a 502 went out and the rest of the stream is dropped. */
  #rejected = false;

  constructor(response: ServerResponse, requestId: string, logger: Logger) {
    this.#response = response;
    this.#requestId = requestId;
    this.#logger = logger;
  }

  get begun(): boolean {
    return this.#begun;
  }

  begin(contentType: string | undefined): void {
    this.#begun = true;
    if (contentType?.split(';', 1)[0]?.trim().toLowerCase() === HTTP_INTEGRATION_CONTENT_TYPE) {
      this.#parser = new HttpIntegrationPreludeParser();
      return;
    }
    this.#head(200, { 'content-type': contentType ?? 'application/octet-stream' }, []);
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.#rejected) return;
    const parser = this.#parser;
    if (parser === undefined) return writeWithBackpressure(this.#response, bytes);
    const parsed = parser.push(bytes);
    if (parsed.kind === 'waiting') return;
    this.#parser = undefined;
    if (parsed.kind === 'invalid') return this.#reject(parsed.reason);
    this.#headFromPrelude(parsed.prelude);
    if (parsed.rest.length > 0) await writeWithBackpressure(this.#response, parsed.rest);
  }

  /** The invocation ended after the stream began. */
  finish(result: InvokeResult): void {
    if (this.#parser !== undefined && !this.#rejected) {
      // Nothing but (part of) a prelude came: a function error, or a stream cut short of the delimiter.
      this.#parser = undefined;
      this.#reject(
        result.status === 'error'
          ? `the stream failed before its prelude was complete (${result.errorType})`
          : 'the stream ended before the prelude delimiter',
      );
      return;
    }
    if (result.status === 'error') {
      // Status and headers are out: the caller sees the body end where the stream broke.
      this.#logger.warn(
        { requestId: this.#requestId, errorType: result.errorType, error: result.error },
        'streamed function URL answer failed mid-stream',
      );
    }
    this.end();
  }

  end(): void {
    if (!this.#response.headersSent && !this.#rejected) {
      sendJson(this.#response, 502, INTERNAL_SERVER_ERROR, this.#requestId);
      return;
    }
    if (!this.#response.writableEnded) this.#response.end();
  }

  #headFromPrelude(prelude: HttpResponsePrelude): void {
    const headers: Record<string, string> = { ...prelude.headers };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/octet-stream';
    }
    this.#head(prelude.statusCode, headers, prelude.cookies);
  }

  #head(status: number, headers: Readonly<Record<string, string>>, cookies: readonly string[]): void {
    if (this.#response.headersSent || this.#response.destroyed) return;
    this.#response.writeHead(status, withCookies(headers, cookies, this.#requestId));
    // The status line leaves now, before the first payload byte, as a function URL sends it.
    this.#response.flushHeaders();
  }

  #reject(reason: string): void {
    this.#rejected = true;
    this.#logger.warn({ requestId: this.#requestId, reason }, 'invalid http-integration prelude: 502');
    sendJson(this.#response, 502, INTERNAL_SERVER_ERROR, this.#requestId);
  }
}

function withCookies(
  headers: Readonly<Record<string, string>>,
  cookies: readonly string[],
  requestId: string,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers, 'x-amzn-requestid': requestId };
  if (cookies.length > 0) out['set-cookie'] = [...cookies];
  return out;
}

function send(response: ServerResponse, status: number, body: Buffer, headers: OutgoingHttpHeaders): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown, requestId?: string): void {
  const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (requestId !== undefined) headers['x-amzn-requestid'] = requestId;
  send(response, status, Buffer.from(JSON.stringify(value)), headers);
}
