import { randomUUID } from 'node:crypto';
import type { EmulatedFunction } from './emulated-function.js';
import type { EmulatorRoute } from './emulator-router.js';
import type { ExtensionEvent, ExtensionRegistry, ExtensionWaiter } from './extension-registry.js';
import type { FailableEndpoint, FaultInjector } from './fault-injector.js';
import type { InvocationDelivery, InvocationDispatcher } from './invocation-dispatcher.js';
import type { ReadRequestBody } from './request-body.js';
import type { RuntimeExchange } from './runtime-exchange.js';

const EXTENSIONS_API_PREFIX = '/2020-01-01';
/** The LMI emulator's cap on extension request bodies (docs/runtime-api.md §12 item 11). */
const MAX_EXTENSION_BODY_BYTES = 1024 * 1024;
/** Extensions API headers (docs/runtime-api.md §3.3), lower-case as node:http presents them. */
const ExtensionHeader = {
  name: 'lambda-extension-name',
  identifier: 'lambda-extension-identifier',
  acceptFeature: 'lambda-extension-accept-feature',
  eventIdentifier: 'lambda-extension-event-identifier',
} as const;

/** What the Extensions API routes work with. */
export interface ExtensionsApiRoutesOptions {
  readonly registry: ExtensionRegistry;
  /** Says whether registration is still open (until the runtime's first `/next`). */
  readonly dispatcher: InvocationDispatcher;
  readonly faults: FaultInjector;
  readonly function: EmulatedFunction;
}

/**
 * The Extensions API (docs/runtime-api.md §2.2, §8) as routes: `POST /extension/register` and the
 * `GET /extension/event/next` long poll, over the HTTP-free {@link ExtensionRegistry}.
 */
export class ExtensionsApiRoutes {
  readonly routes: readonly EmulatorRoute[];
  readonly #options: ExtensionsApiRoutesOptions;

  constructor(options: ExtensionsApiRoutesOptions) {
    this.#options = options;
    this.routes = [
      {
        method: 'POST',
        path: `${EXTENSIONS_API_PREFIX}/extension/register`,
        endpoint: 'extension-register',
        handle: (exchange) => this.#register(exchange),
      },
      {
        method: 'GET',
        path: `${EXTENSIONS_API_PREFIX}/extension/event/next`,
        endpoint: 'extension-next',
        handle: (exchange) => this.#next(exchange),
      },
    ];
  }

  async #register(exchange: RuntimeExchange): Promise<void> {
    const read = await this.#receive('extension-register', exchange);
    if (read === undefined) return;
    const outcome = this.#options.registry.register(
      exchange.header(ExtensionHeader.name),
      read.body,
      this.#options.dispatcher.registrationOpen,
    );
    if (!outcome.ok) return exchange.sendError(403, outcome.errorType, outcome.errorMessage);
    const { settings, handler } = this.#options.function;
    const body: Record<string, string> = {
      functionName: settings.functionName,
      functionVersion: settings.functionVersion,
      handler: handler ?? '',
    };
    const features = (exchange.header(ExtensionHeader.acceptFeature) ?? '').split(',');
    if (features.some((feature) => feature.trim() === 'accountId')) body.accountId = settings.accountId;
    exchange.sendJson(200, body, { [ExtensionHeader.identifier]: outcome.extension.id });
  }

  async #next(exchange: RuntimeExchange): Promise<void> {
    const registry = this.#options.registry;
    if ((await this.#receive('extension-next', exchange)) === undefined) return;
    const id = exchange.header(ExtensionHeader.identifier) ?? '';
    if (id === '') {
      return exchange.sendError(
        403,
        'Extension.MissingExtensionIdentifier',
        `Missing ${ExtensionHeader.identifier} header`,
      );
    }
    if (!registry.has(id)) {
      return exchange.sendError(403, 'Extension.UnknownExtensionIdentifier', `Unknown extension ${id}`);
    }
    let open = true;
    const waiter: ExtensionWaiter = {
      deliver: (event) => {
        if (!open || exchange.gone) return false;
        open = false;
        exchange.sendJson(200, event, { [ExtensionHeader.eventIdentifier]: randomUUID() });
        return true;
      },
    };
    exchange.response.on('close', () => {
      if (!open) return;
      open = false;
      registry.unpark(id, waiter);
    });
    registry.next(id, waiter);
    if (open) exchange.publish();
  }

  /** The body, or `undefined` once the exchange is over (client gone, or an injected failure sent). */
  async #receive(
    endpoint: FailableEndpoint,
    exchange: RuntimeExchange,
  ): Promise<ReadRequestBody | undefined> {
    const read = await exchange.receive(MAX_EXTENSION_BODY_BYTES);
    if (read === undefined || this.#options.faults.intercept(endpoint, exchange)) return undefined;
    return read;
  }
}

/** The INVOKE event extensions get when an invocation is delivered to the runtime (docs/runtime-api.md §8.1). */
export function invokeEvent(delivery: InvocationDelivery): ExtensionEvent {
  const { invocation, deadlineMs, invokedFunctionArn } = delivery;
  const traceId = invocation.options.traceId;
  return {
    eventType: 'INVOKE',
    deadlineMs,
    requestId: invocation.requestId,
    invokedFunctionArn,
    ...(traceId === undefined || traceId === ''
      ? {}
      : { tracing: { type: 'X-Amzn-Trace-Id' as const, value: traceId } }),
  };
}
