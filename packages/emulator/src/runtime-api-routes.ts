import {
  DEFAULT_EVENT_CONTENT_TYPE,
  type Logger,
  MAX_RESPONSE_BYTES,
  RUNTIME_API_PREFIX,
  RuntimeApiPath,
  RuntimeHeader,
} from '@lambda-runtime/api';
import type { EmulatedFunction } from './emulated-function.js';
import type { EmulatorRoute } from './emulator-router.js';
import type { FaultInjector } from './fault-injector.js';
import type {
  EmulatedInvocation,
  InvocationDelivery,
  InvocationDispatcher,
} from './invocation-dispatcher.js';
import { answerOutcome, platformError } from './invocation-outcomes.js';
import { parseErrorDocument } from './invoke-result.js';
import { NextLongPoll } from './next-long-poll.js';
import type { RuntimeExchange } from './runtime-exchange.js';

interface PendingWaiter {
  readonly count: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Streamed responses may be much larger than buffered ones (docs/runtime-api.md §11). */
const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

/** What the Runtime API routes work with. */
export interface RuntimeApiRoutesOptions {
  readonly dispatcher: InvocationDispatcher;
  readonly faults: FaultInjector;
  readonly function: EmulatedFunction;
  readonly logger: Logger;
  /** Runs when an invocation has been written to a `/next` (extensions get INVOKE from here). */
  readonly onDelivered: (delivery: InvocationDelivery) => void;
}

/**
 * The Runtime API (docs/runtime-api.md §2.1, §6.3) as routes: `GET /next` (a {@link NextLongPoll}),
 * `POST /{id}/response` and `/{id}/error`, `POST /init/error`, and the RIE's `GET /ping`. State
 * changes go through the {@link InvocationDispatcher}; this class only counts the open `/next` calls.
 */
export class RuntimeApiRoutes {
  readonly routes: readonly EmulatorRoute[];
  readonly #options: RuntimeApiRoutesOptions;
  #openNext = 0;
  #maxConcurrentNext = 0;
  readonly #pendingWaiters = new Set<PendingWaiter>();
  #closedWith: Error | undefined;

  constructor(options: RuntimeApiRoutesOptions) {
    this.#options = options;
    const answerPath = (kind: 'response' | 'error'): RegExp =>
      new RegExp(`^${RUNTIME_API_PREFIX}/runtime/invocation/([^/]+)/${kind}$`);
    const answerRoute = (kind: 'response' | 'error'): EmulatorRoute => ({
      method: 'POST',
      path: answerPath(kind),
      endpoint: kind,
      handle: (exchange, [id]) => this.#answer(kind, id ?? '', exchange),
    });
    const pingRoute = (path: string): EmulatorRoute => ({
      method: 'GET',
      path,
      endpoint: 'ping',
      handle: ping,
    });
    this.routes = [
      {
        method: 'GET',
        path: RuntimeApiPath.next,
        endpoint: 'next',
        handle: (exchange) => this.#next(exchange),
      },
      {
        method: 'POST',
        path: RuntimeApiPath.initError,
        endpoint: 'init-error',
        handle: (exchange) => this.#initError(exchange),
      },
      answerRoute('response'),
      answerRoute('error'),
      pingRoute('/ping'),
      pingRoute(`${RUNTIME_API_PREFIX}/ping`),
    ];
  }

  /** How many `GET /next` requests are open right now. */
  get pendingNext(): number {
    return this.#openNext;
  }

  /** The highest number of `GET /next` requests that were open at the same time. */
  get maxConcurrentNext(): number {
    return this.#maxConcurrentNext;
  }

  /**
   * Resolves once at least `count` `GET /next` requests are open (at once, if so already); rejects
   * after `timeoutMs`, or with `closedWith` once {@link closeWaiters} ran.
   */
  whenPendingNext(count: number, timeoutMs: number): Promise<void> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (this.#openNext >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: PendingWaiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#pendingWaiters.delete(waiter);
          reject(
            new Error(
              `${count} GET /next requests were not open at once within ${timeoutMs} ms (open: ${this.#openNext})`,
            ),
          );
        }, timeoutMs),
      };
      this.#pendingWaiters.add(waiter);
    });
  }

  /** Rejects every {@link whenPendingNext} waiter, now and later (the emulator is closing). */
  closeWaiters(error: Error): void {
    this.#closedWith = error;
    for (const waiter of this.#pendingWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#pendingWaiters.clear();
  }

  #pendingChanged(): void {
    for (const waiter of this.#pendingWaiters) {
      if (this.#openNext < waiter.count) continue;
      this.#pendingWaiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  async #next(exchange: RuntimeExchange): Promise<void> {
    const { dispatcher, faults, logger } = this.#options;
    if ((await exchange.receive(MAX_RESPONSE_BYTES)) === undefined) return;
    dispatcher.closeRegistration();
    if (faults.takeReset()) {
      logger.debug({ path: exchange.record.path }, 'resetting the connection of /next on request');
      return exchange.reset();
    }
    if (faults.intercept('next', exchange)) return;
    if (dispatcher.machine.initFailed) {
      return exchange.sendError(
        403,
        'InvalidStateTransition',
        'State transition from InitError to Ready failed for runtime. Error: State transition is not allowed',
      );
    }
    this.#openNext += 1;
    this.#maxConcurrentNext = Math.max(this.#maxConcurrentNext, this.#openNext);
    const longPoll = new NextLongPoll(exchange, dispatcher.machine, {
      takeDelay: () => faults.takeDelay(),
      write: (invocation) => this.#deliver(exchange, invocation),
      onEnd: () => {
        this.#openNext -= 1;
      },
    });
    longPoll.park();
    // After park: a /next answered at once was never waiting.
    this.#pendingChanged();
  }

  #deliver(exchange: RuntimeExchange, invocation: EmulatedInvocation): void {
    const { options: invoke, requestId } = invocation;
    exchange.record.requestId = requestId;
    this.#options.logger.debug({ requestId }, 'delivering invocation');
    const delivery: InvocationDelivery = {
      invocation,
      deadlineMs: invoke.deadlineMs ?? Date.now() + this.#options.function.settings.timeoutSeconds * 1000,
      invokedFunctionArn: invoke.invokedFunctionArn ?? this.#options.function.functionArn,
    };
    exchange.send(200, invocation.body, nextHeaders(delivery));
    invocation.expireAt(delivery.deadlineMs);
    this.#options.onDelivered(delivery);
  }

  async #answer(kind: 'response' | 'error', rawId: string, exchange: RuntimeExchange): Promise<void> {
    const { dispatcher, faults } = this.#options;
    const machine = dispatcher.machine;
    const record = exchange.record;
    let requestId = rawId;
    let decodable = true;
    try {
      requestId = decodeURIComponent(rawId);
    } catch {
      decodable = false;
    }
    record.requestId = requestId;
    const mode = exchange.header(RuntimeHeader.functionResponseMode);
    const streaming = kind === 'response' && mode === 'streaming';
    const read = await exchange.readBody(streaming ? MAX_STREAMED_RESPONSE_BYTES : MAX_RESPONSE_BYTES);
    if (read.aborted) {
      if (decodable && kind === 'response' && machine.check(requestId) === 'current') {
        machine.finish(
          requestId,
          platformError(
            'response',
            'Runtime.TruncatedResponse',
            'The response body ended prematurely',
            record,
          ),
        );
      }
      return exchange.finish(undefined);
    }
    if (faults.intercept(kind, exchange)) return;

    const state = decodable ? machine.check(requestId) : 'unknown';
    if (state === 'answered') {
      return exchange.sendError(
        403,
        'InvalidStateTransition',
        `Invocation ${requestId} has already been answered. Error: State transition is not allowed`,
      );
    }
    if (state === 'timed-out') {
      return exchange.sendError(410, 'InvokeTimeout', `Invocation ${requestId} has timed out`);
    }
    if (state === 'unknown') return exchange.sendError(400, 'InvalidRequestID', 'Invalid request ID');

    if (kind === 'response' && mode !== undefined && !streaming) {
      exchange.sendError(
        400,
        'InvalidFunctionResponseMode',
        `Invalid ${RuntimeHeader.functionResponseMode} header value: ${JSON.stringify(mode)}`,
      );
      machine.finish(
        requestId,
        platformError(
          'response',
          'Runtime.InvalidResponseModeHeader',
          `Invalid response mode ${mode}`,
          record,
        ),
      );
      return;
    }
    if (read.overLimit) {
      exchange.sendError(
        413,
        'RequestEntityTooLarge',
        `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      );
      machine.finish(
        requestId,
        platformError(
          kind,
          'Function.ResponseSizeTooLarge',
          `Response payload size (${read.length} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          record,
        ),
      );
      return;
    }

    exchange.accept();
    machine.finish(requestId, answerOutcome(kind, read, record));
  }

  async #initError(exchange: RuntimeExchange): Promise<void> {
    const read = await exchange.receive(MAX_RESPONSE_BYTES);
    if (read === undefined || this.#options.faults.intercept('init-error', exchange)) return;
    const errorTypeHeader = exchange.header(RuntimeHeader.functionErrorType);
    const accepted = this.#options.dispatcher.failInit(
      {
        status: 'error',
        via: 'init-error',
        payload: read.body,
        contentType: exchange.header(RuntimeHeader.contentType),
        errorTypeHeader,
        request: exchange.record,
      },
      { ...parseErrorDocument(read.body, errorTypeHeader), errorTypeHeader },
    );
    if (!accepted) {
      return exchange.sendError(
        403,
        'InvalidStateTransition',
        'State transition from Ready to InitError failed for runtime. Error: State transition is not allowed',
      );
    }
    exchange.accept();
  }
}

async function ping(exchange: RuntimeExchange): Promise<void> {
  if ((await exchange.receive(0)) === undefined) return;
  exchange.send(200, Buffer.from('pong'), { 'content-type': 'text/plain' });
}

/** The `Lambda-Runtime-*` headers of a `/next` answer (docs/runtime-api.md §3.1). */
function nextHeaders(delivery: InvocationDelivery): Record<string, string> {
  const { invocation, deadlineMs, invokedFunctionArn } = delivery;
  const options = invocation.options;
  const headers: Record<string, string> = {
    [RuntimeHeader.requestId]: invocation.requestId,
    [RuntimeHeader.deadlineMs]: String(deadlineMs),
    [RuntimeHeader.invokedFunctionArn]: invokedFunctionArn,
  };
  if (options.traceId !== undefined) headers[RuntimeHeader.traceId] = options.traceId;
  if (options.clientContext !== undefined) headers[RuntimeHeader.clientContext] = options.clientContext;
  if (options.cognitoIdentity !== undefined) headers[RuntimeHeader.cognitoIdentity] = options.cognitoIdentity;
  if (options.tenantId !== undefined) headers[RuntimeHeader.tenantId] = options.tenantId;
  if (options.contentType !== null) {
    headers[RuntimeHeader.contentType] = options.contentType ?? DEFAULT_EVENT_CONTENT_TYPE;
  }
  for (const [name, value] of Object.entries(options.extraHeaders ?? {})) {
    delete headers[name.toLowerCase()];
    headers[name] = value;
  }
  return headers;
}
