import type { RuntimeExchange } from './runtime-exchange.js';

/** Endpoints {@link RuntimeApiEmulator.failNext} can make fail. */
export type FailableEndpoint =
  | 'next'
  | 'response'
  | 'error'
  | 'init-error'
  | 'extension-register'
  | 'extension-next';

interface InjectedFailure {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * The faults a test asked for, each kept until the request it targets arrives: injected statuses
 * per endpoint, connection resets of `/next`, delayed deliveries. The routes consult it at the
 * point where the fault applies; listener faults (`stopListening`) belong to the server.
 */
export class FaultInjector {
  readonly #failures = new Map<FailableEndpoint, InjectedFailure[]>();
  /** Delays (ms) for the next deliveries of an invocation to `/next`, oldest first. */
  readonly #deliveryDelays: number[] = [];
  #resetsPending = 0;

  /** Queues a failure for the next request to `endpoint` (see {@link RuntimeApiEmulator.failNext}). */
  failNext(endpoint: FailableEndpoint, status: number, body: unknown): void {
    let bytes: Buffer;
    if (body === undefined) {
      bytes = Buffer.from(
        JSON.stringify({
          errorType: defaultErrorType(status),
          errorMessage: `Injected ${status} on ${endpoint}`,
        }),
      );
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      bytes = Buffer.from(body);
    } else {
      bytes = Buffer.from(JSON.stringify(body));
    }
    const queue = this.#failures.get(endpoint) ?? [];
    queue.push({ status, body: bytes });
    this.#failures.set(endpoint, queue);
  }

  resetNext(): void {
    this.#resetsPending += 1;
  }

  delayNext(ms: number): void {
    this.#deliveryDelays.push(Math.max(0, ms));
  }

  /** Answers with the failure queued for `endpoint`, if any: `true` when the exchange is over. */
  intercept(endpoint: FailableEndpoint, exchange: RuntimeExchange): boolean {
    const failure = this.#failures.get(endpoint)?.shift();
    if (failure === undefined) return false;
    exchange.send(failure.status, failure.body, { 'content-type': 'application/json' });
    return true;
  }

  /** Whether the `/next` that just arrived is to be reset (uses up one {@link resetNext}). */
  takeReset(): boolean {
    if (this.#resetsPending === 0) return false;
    this.#resetsPending -= 1;
    return true;
  }

  /** The delay for the delivery about to happen, if one was asked for. */
  takeDelay(): number | undefined {
    return this.#deliveryDelays.shift();
  }
}

function defaultErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'InvalidRequestID';
    case 403:
      return 'InvalidStateTransition';
    case 410:
      return 'InvokeTimeout';
    case 413:
      return 'RequestEntityTooLarge';
    default:
      return status >= 500 ? 'InternalServerError' : 'InjectedError';
  }
}
