import type { ErrorDocument } from '@lambda-runtime/api';
import type { RecordedRequest } from './request-log.js';

/**
 * How an invocation ended: the runtime's `/response` or `/error`, its `/init/error`, its exit, or
 * (supervised mode) the function timeout.
 */
export type InvokeVia = 'response' | 'error' | 'init-error' | 'exit' | 'timeout';

/**
 * The outcome of {@link RuntimeApiEmulator.invoke}.
 *
 * @example
 * ```ts
 * const result = await emulator.invoke({ orderId: 42 });
 * if (result.status === 'error') console.error(result.errorType, result.error?.errorMessage);
 * else console.log(result.json());
 * ```
 */
export interface InvokeResult {
  readonly requestId: string;
  readonly status: 'success' | 'error';
  /**
   * The `/response` body, the `/error` or `/init/error` body, or the emulator's error document.
   * Empty when a streamed `/response` went to a streaming caller ({@link RuntimeApiEmulator.invokeStream},
   * the streaming front doors): its bytes were passed on, not kept.
   */
  readonly payload: Buffer;
  /** `Content-Type` the runtime sent with its answer, if any. */
  readonly contentType: string | undefined;
  /** The error body as sent (JSON-parsed) when `status` is `error`; synthesized when it is not JSON. */
  readonly error: ErrorDocument | undefined;
  /** `Lambda-Runtime-Function-Error-Type` (header or streaming trailer), else the body's `errorType`. */
  readonly errorType: string | undefined;
  readonly via: InvokeVia;
  /** The runtime request that settled the invocation (none for `exit`). */
  readonly request: RecordedRequest | undefined;
  /** `JSON.parse` of the payload. */
  json<T = unknown>(): T;
}

/** The data an invocation is settled with; {@link EmulatorInvokeResult} derives the rest. */
export interface InvokeOutcome {
  readonly status: 'success' | 'error';
  readonly via: InvokeVia;
  readonly payload: Buffer;
  readonly contentType?: string | undefined;
  /** The error type the runtime (or the emulator) declared outside the body. */
  readonly errorTypeHeader?: string | undefined;
  /** Overrides the error parsed from the payload (streamed errors carry it in a trailer). */
  readonly error?: ErrorDocument | undefined;
  readonly request?: RecordedRequest | undefined;
}

/** The {@link InvokeResult} implementation. */
export class EmulatorInvokeResult implements InvokeResult {
  readonly requestId: string;
  readonly status: 'success' | 'error';
  readonly payload: Buffer;
  readonly contentType: string | undefined;
  readonly error: ErrorDocument | undefined;
  readonly errorType: string | undefined;
  readonly via: InvokeVia;
  readonly request: RecordedRequest | undefined;

  constructor(requestId: string, outcome: InvokeOutcome) {
    this.requestId = requestId;
    this.status = outcome.status;
    this.payload = outcome.payload;
    this.contentType = outcome.contentType;
    this.via = outcome.via;
    this.request = outcome.request;
    this.error =
      outcome.status === 'error'
        ? (outcome.error ?? parseErrorDocument(outcome.payload, outcome.errorTypeHeader))
        : undefined;
    this.errorType =
      outcome.status === 'error'
        ? (nonEmpty(outcome.errorTypeHeader) ?? nonEmpty(this.error?.errorType))
        : undefined;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.payload.toString('utf8')) as T;
  }
}

/**
 * The error body as the runtime sent it when it is a JSON object (kept verbatim, so conformance
 * tests see missing keys); otherwise a document built from the header, as Lambda does.
 */
export function parseErrorDocument(payload: Uint8Array, errorTypeHeader: string | undefined): ErrorDocument {
  const text = Buffer.from(payload).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as ErrorDocument;
  } catch {
    // Not JSON: fall through to the header-based document.
  }
  return { errorType: nonEmpty(errorTypeHeader) ?? 'Runtime.Unknown', errorMessage: text, stackTrace: [] };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
