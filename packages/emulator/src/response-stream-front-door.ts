import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@lambda-runtime/api';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { EmulatorClosedError } from './emulator-closed-error.js';
import { callerInvokeOptions, MAX_INVOKE_REQUEST_BYTES } from './invoke-front-door.js';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import { InvokeTimeoutError } from './invoke-timeout-error.js';
import { isThrottle } from './is-throttle.js';
import { readRequestBody } from './request-body.js';
import type { StreamedResponseTarget } from './streamed-response-target.js';
import { writeWithBackpressure } from './write-with-backpressure.js';

/** Path of the InvokeWithResponseStream endpoint for the function the emulator plays. */
export const RESPONSE_STREAM_PATH = '/2021-11-15/functions/function/response-streaming-invocations';

/** `Content-Type` of an AWS event stream (the binary framing of InvokeWithResponseStream's answer). */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** What the response-streaming front door needs from the emulator. */
export interface ResponseStreamHost {
  /** Invokes the function; a streamed `/response` goes to `target` as it arrives. */
  invoke(event: unknown, options: InvokeOptions, target: StreamedResponseTarget): Promise<InvokeResult>;
  readonly functionVersion: string;
  readonly timeoutSeconds: number;
  readonly logger: Logger;
}

/** The fields of the final `InvokeComplete` event (InvokeWithResponseStreamCompleteEvent). */
interface InvokeComplete {
  readonly ErrorCode?: string;
  readonly ErrorDetails?: string;
  readonly LogResult?: string;
}

// The AWS SDK's own event-stream framing (prelude, headers, CRC32s).
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * The caller side of `InvokeWithResponseStream`
 * (`POST /2021-11-15/functions/function/response-streaming-invocations`): a 200 with
 * `Content-Type: application/vnd.amazon.eventstream` whose body is a `PayloadChunk` event for each
 * piece of the runtime's streamed `/response` as it arrives, then one `InvokeComplete` event that
 * carries a failure (`ErrorCode`, `ErrorDetails`), mid-stream or not. A buffered answer is one
 * `PayloadChunk` and the `InvokeComplete`. `X-Amz-Invocation-Type: DryRun` gets 204 without an
 * invocation. Callers queue behind each other like any other invocation.
 */
export class ResponseStreamFrontDoor {
  readonly #host: ResponseStreamHost;

  constructor(host: ResponseStreamHost) {
    this.#host = host;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const host = this.#host;
    const read = await readRequestBody(request, request.method === 'POST' ? MAX_INVOKE_REQUEST_BYTES : 0);
    if (read.aborted) return;
    if (request.method !== 'POST') {
      return sendError(response, 405, 'MethodNotAllowedException', `${request.method} is not supported`);
    }
    if (read.overLimit) {
      return sendError(
        response,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_INVOKE_REQUEST_BYTES} bytes for the InvokeWithResponseStream operation`,
      );
    }
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType === 'DryRun') {
      response.writeHead(204, { 'x-amz-executed-version': host.functionVersion });
      response.end();
      return;
    }
    if (invocationType !== 'RequestResponse') {
      return sendError(
        response,
        400,
        'InvalidParameterValueException',
        `X-Amz-Invocation-Type must be RequestResponse or DryRun, not ${JSON.stringify(invocationType)}`,
      );
    }
    const options = callerInvokeOptions(request, read.body, host.timeoutSeconds);
    if (options === undefined) {
      return sendError(
        response,
        400,
        'InvalidRequestContentException',
        'X-Amz-Client-Context is not valid base64',
      );
    }
    const requestId = randomUUID();
    const stream = new EventStreamAnswer(response, requestId, host.functionVersion);
    let result: InvokeResult;
    try {
      result = await host.invoke(undefined, { ...options, requestId }, stream);
    } catch (error) {
      if (error instanceof InvokeTimeoutError) {
        return stream.complete({
          ErrorCode: 'Sandbox.Timedout',
          ErrorDetails: `Task timed out after ${host.timeoutSeconds.toFixed(2)} seconds`,
        });
      }
      if (isThrottle(error) && !stream.started) {
        return sendError(response, 429, 'TooManyRequestsException', 'Rate Exceeded.');
      }
      host.logger.warn({ err: error }, 'InvokeWithResponseStream invocation failed');
      if (stream.started)
        return stream.complete({ ErrorCode: 'ServiceException', ErrorDetails: String(error) });
      const closed = error instanceof EmulatorClosedError;
      return sendError(response, closed ? 503 : 500, 'ServiceException', errorMessage(error));
    }
    if (!stream.streamed && result.status === 'success' && result.payload.length > 0) {
      await stream.write(result.payload);
    }
    stream.complete(
      result.status === 'error'
        ? {
            ErrorCode: result.errorType ?? 'Unhandled',
            ErrorDetails: String(result.error?.errorMessage ?? result.payload.toString('utf8')),
          }
        : {},
    );
  }
}

/** One InvokeWithResponseStream answer being written: the head once, then event messages. */
class EventStreamAnswer implements StreamedResponseTarget {
  readonly #response: ServerResponse;
  readonly #requestId: string;
  readonly #functionVersion: string;
  #streamed = false;

  constructor(response: ServerResponse, requestId: string, functionVersion: string) {
    this.#response = response;
    this.#requestId = requestId;
    this.#functionVersion = functionVersion;
  }

  /** True once the runtime began a streamed `/response`. */
  get streamed(): boolean {
    return this.#streamed;
  }

  /** True once the status line went out. */
  get started(): boolean {
    return this.#response.headersSent;
  }

  begin(): void {
    this.#streamed = true;
    this.#head();
  }

  write(bytes: Buffer): Promise<void> {
    this.#head();
    return writeWithBackpressure(
      this.#response,
      codec.encode({
        headers: {
          ':event-type': { type: 'string', value: 'PayloadChunk' },
          ':message-type': { type: 'string', value: 'event' },
          ':content-type': { type: 'string', value: 'application/octet-stream' },
        },
        body: bytes,
      }),
    );
  }

  complete(fields: InvokeComplete): void {
    this.#head();
    if (this.#response.destroyed || this.#response.writableEnded) return;
    this.#response.end(
      codec.encode({
        headers: {
          ':event-type': { type: 'string', value: 'InvokeComplete' },
          ':message-type': { type: 'string', value: 'event' },
          ':content-type': { type: 'string', value: 'application/json' },
        },
        body: Buffer.from(JSON.stringify(fields)),
      }),
    );
  }

  #head(): void {
    if (this.#response.headersSent || this.#response.destroyed) return;
    this.#response.writeHead(200, {
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      'x-amzn-requestid': this.#requestId,
      'x-amz-executed-version': this.#functionVersion,
    });
    this.#response.flushHeaders();
  }
}

/** An error as the Lambda API (rest-json) sends it: `X-Amzn-ErrorType` and `{Type, message}`. */
function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  if (response.headersSent || response.destroyed) return;
  const body = Buffer.from(JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }));
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': errorType,
    'content-length': String(body.length),
  });
  response.end(body);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
