import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import { InvokeTimeoutError } from './invoke-timeout-error.js';
import { readRequestBody } from './request-body.js';
import { TooManyRequestsError } from './too-many-requests-error.js';

/** Path of the invoke endpoint, as served by the AWS Runtime Interface Emulator. */
export const FRONT_DOOR_PATH = '/2015-03-31/functions/function/invocations';

/** Largest synchronous invoke request the platform accepts (docs/runtime-api.md §11). */
export const MAX_INVOKE_REQUEST_BYTES = 6_291_456;

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What the front door needs from the emulator. */
export interface FrontDoorHost {
  invoke(event: unknown, options: InvokeOptions): Promise<InvokeResult>;
  readonly functionVersion: string;
  readonly timeoutSeconds: number;
}

/**
 * The caller side: `POST /2015-03-31/functions/function/invocations` turned into an invocation
 * (caller headers mapped per docs/runtime-api.md §3.4) and its result turned into the Invoke API's
 * answer. Concurrent callers queue behind the invocations in flight; one too many gets the Invoke
 * API's 429 `TooManyRequestsException` (the RIE answers 400 and, at times, panics).
 */
export class InvokeFrontDoor {
  readonly #host: FrontDoorHost;

  constructor(host: FrontDoorHost) {
    this.#host = host;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') {
      await readRequestBody(request, 0);
      sendJson(response, 405, 'MethodNotAllowed', `${request.method} is not supported on ${FRONT_DOOR_PATH}`);
      return;
    }
    await this.#invoke(request, response);
  }

  async #invoke(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const read = await readRequestBody(request, MAX_INVOKE_REQUEST_BYTES);
    if (read.aborted) return;
    if (read.overLimit) {
      sendJson(
        response,
        413,
        'RequestEntityTooLarge',
        `Request must be smaller than ${MAX_INVOKE_REQUEST_BYTES} bytes for the InvokeFunction operation`,
      );
      return;
    }
    const options: { -readonly [K in keyof InvokeOptions]: InvokeOptions[K] } = {
      rawBody: read.body,
      // The caller waits as long as the function may run, plus a little for the answer to travel.
      timeoutMs: this.#host.timeoutSeconds * 1000 + 1000,
    };
    const traceId = header(request, 'x-amzn-trace-id');
    if (traceId !== undefined) options.traceId = traceId;
    const tenantId = header(request, 'x-amz-tenant-id');
    if (tenantId !== undefined) options.tenantId = tenantId;
    const clientContext = header(request, 'x-amz-client-context');
    if (clientContext !== undefined) {
      if (!STANDARD_BASE64.test(clientContext)) {
        // The RIE fails the invoke with a 500 when the client context is not valid base64.
        sendJson(response, 500, 'InvalidClientContext', 'X-Amz-Client-Context is not valid base64');
        return;
      }
      options.clientContext = Buffer.from(clientContext, 'base64').toString('utf8');
    }

    let result: InvokeResult;
    try {
      result = await this.#host.invoke(undefined, options);
    } catch (error) {
      if (error instanceof InvokeTimeoutError) {
        // Like the RIE: a timed-out invocation is a 200 with a plain-text body.
        send(
          response,
          200,
          Buffer.from(`Task timed out after ${this.#host.timeoutSeconds.toFixed(2)} seconds`),
          {
            'content-type': 'text/plain; charset=utf-8',
            'x-amz-function-error': 'Unhandled',
          },
        );
        return;
      }
      if (error instanceof TooManyRequestsError) {
        sendThrottled(response, error);
        return;
      }
      sendJson(response, 503, 'ServiceUnavailable', error instanceof Error ? error.message : String(error));
      return;
    }
    const headers: Record<string, string> = {
      'x-amzn-requestid': result.requestId,
      'x-amz-executed-version': this.#host.functionVersion,
    };
    if (result.status === 'error') {
      headers['content-type'] = 'application/json';
      headers['x-amz-function-error'] = 'Unhandled';
    } else {
      headers['content-type'] = result.contentType ?? 'application/json';
    }
    send(response, 200, result.payload, headers);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text === '' ? undefined : text;
}

function send(response: ServerResponse, status: number, body: Buffer, headers: Record<string, string>): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  send(response, status, Buffer.from(JSON.stringify({ errorType, errorMessage })), {
    'content-type': 'application/json',
  });
}

/**
 * A throttled call as the Lambda Invoke API answers it (restJson1): 429, the error code in
 * `x-amzn-ErrorType`, and a body with `Reason`, `Type` and `message`, which the AWS SDKs read into
 * `TooManyRequestsException`.
 */
function sendThrottled(response: ServerResponse, error: TooManyRequestsError): void {
  const body = { Reason: error.reason, Type: 'User', message: 'Rate Exceeded.' };
  send(response, 429, Buffer.from(JSON.stringify(body)), {
    'content-type': 'application/json',
    'x-amzn-ErrorType': error.errorType,
    'x-amzn-RequestId': error.requestId,
  });
}
