import { randomUUID } from 'node:crypto';

/** The events an extension can subscribe to (docs/runtime-api.md §2.2). */
export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

/** An extension registered with the emulator, as {@link RuntimeApiEmulator.extensions} shows it. */
export interface RegisteredExtension {
  /** The `Lambda-Extension-Identifier` handed out at registration (a UUID). */
  readonly id: string;
  /** The `Lambda-Extension-Name` it registered with. */
  readonly name: string;
  /** The events it subscribed to, in the order given. */
  readonly events: readonly ExtensionEventType[];
  /** Registration time (ms since epoch). */
  readonly registeredAt: number;
  /** True while it has a `GET /extension/event/next` open. */
  readonly parkedNext: boolean;
}

/** An event as delivered by `GET /2020-01-01/extension/event/next` (docs/runtime-api.md §8.1). */
export type ExtensionEvent =
  | {
      readonly eventType: 'INVOKE';
      readonly deadlineMs: number;
      readonly requestId: string;
      readonly invokedFunctionArn: string;
      readonly tracing?: { readonly type: 'X-Amzn-Trace-Id'; readonly value: string };
    }
  | { readonly eventType: 'SHUTDOWN'; readonly shutdownReason: string; readonly deadlineMs: number };

/** A parked `event/next`. */
export interface ExtensionWaiter {
  /** Answers the request with the event; `false` when the request is gone and cannot take it. */
  deliver(event: ExtensionEvent): boolean;
}

/** Why a registration was refused: the RIE's 403 error types. */
export type RegistrationRefusal =
  | 'Extension.InvalidExtensionName'
  | 'InvalidRequestFormat'
  | 'Extension.InvalidEventType'
  | 'Extension.RegistrationClosed'
  | 'Extension.TooManyExtensions';

export type RegistrationOutcome =
  | { readonly ok: true; readonly extension: RegisteredExtension }
  | { readonly ok: false; readonly errorType: RegistrationRefusal; readonly errorMessage: string };

/** The platform's limit (docs/runtime-api.md §8.2). */
export const MAX_EXTENSIONS = 10;

const EVENT_TYPES: ReadonlySet<string> = new Set<ExtensionEventType>(['INVOKE', 'SHUTDOWN']);

interface ExtensionState {
  readonly id: string;
  readonly name: string;
  readonly events: readonly ExtensionEventType[];
  readonly registeredAt: number;
  /** Events that found no parked `event/next`; delivered to the next calls, oldest first. */
  readonly pending: ExtensionEvent[];
  readonly parked: ExtensionWaiter[];
}

/**
 * The Extensions API state (docs/runtime-api.md §2.2, §8), free of HTTP: registrations, each extension's
 * parked `event/next` calls and the events not yet picked up.
 */
export class ExtensionRegistry {
  readonly #extensions = new Map<string, ExtensionState>();
  #closed = false;

  /** Snapshots of every registered extension, in registration order. */
  get extensions(): readonly RegisteredExtension[] {
    return [...this.#extensions.values()].map((state) => ({
      id: state.id,
      name: state.name,
      events: state.events,
      registeredAt: state.registeredAt,
      parkedNext: state.parked.length > 0,
    }));
  }

  get size(): number {
    return this.#extensions.size;
  }

  /** Validates a `POST /extension/register` (name header, raw body) and registers on success. */
  register(name: string | undefined, body: Buffer, registrationOpen: boolean): RegistrationOutcome {
    if (name === undefined || name.trim() === '') {
      return refuse('Extension.InvalidExtensionName', 'Lambda-Extension-Name header is missing or empty');
    }
    const parsed = parseRegisterBody(body);
    if (typeof parsed === 'string') return refuse('InvalidRequestFormat', parsed);
    const unknown = parsed.find((event) => !EVENT_TYPES.has(event));
    if (unknown !== undefined) {
      return refuse('Extension.InvalidEventType', `Unknown event type ${JSON.stringify(unknown)}`);
    }
    if (!registrationOpen) {
      return refuse('Extension.RegistrationClosed', 'Extensions can only register during Init');
    }
    if (this.#extensions.size >= MAX_EXTENSIONS) {
      return refuse('Extension.TooManyExtensions', `At most ${MAX_EXTENSIONS} extensions can be registered`);
    }
    const state: ExtensionState = {
      id: randomUUID(),
      name,
      events: parsed as ExtensionEventType[],
      registeredAt: Date.now(),
      pending: [],
      parked: [],
    };
    this.#extensions.set(state.id, state);
    const extension = this.extensions.find((candidate) => candidate.id === state.id);
    return { ok: true, extension: extension as RegisteredExtension };
  }

  has(id: string): boolean {
    return this.#extensions.has(id);
  }

  /** An `event/next` arrived from a known extension: answered from its backlog or parked. */
  next(id: string, waiter: ExtensionWaiter): void {
    const state = this.#extensions.get(id);
    if (state === undefined || this.#closed) return;
    const event = state.pending[0];
    if (event !== undefined && waiter.deliver(event)) {
      state.pending.shift();
      return;
    }
    state.parked.push(waiter);
  }

  /** A parked `event/next` went away. */
  unpark(id: string, waiter: ExtensionWaiter): void {
    const parked = this.#extensions.get(id)?.parked;
    const index = parked?.indexOf(waiter) ?? -1;
    if (index >= 0) parked?.splice(index, 1);
  }

  /** Sends `event` to every extension subscribed to its type; returns how many subscribers it had. */
  broadcast(event: ExtensionEvent): number {
    let subscribers = 0;
    for (const state of this.#extensions.values()) {
      if (!state.events.includes(event.eventType)) continue;
      subscribers += 1;
      this.#deliver(state, event);
    }
    return subscribers;
  }

  /** Forgets every parked waiter (their sockets are being closed). */
  close(): void {
    this.#closed = true;
    for (const state of this.#extensions.values()) state.parked.splice(0);
  }

  #deliver(state: ExtensionState, event: ExtensionEvent): void {
    for (;;) {
      const waiter = state.parked.shift();
      if (waiter === undefined) {
        state.pending.push(event);
        return;
      }
      if (waiter.deliver(event)) return;
    }
  }
}

function refuse(errorType: RegistrationRefusal, errorMessage: string): RegistrationOutcome {
  return { ok: false, errorType, errorMessage };
}

/** The subscribed event names, or why the body is malformed. */
function parseRegisterBody(body: Buffer): string[] | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'The register body is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'The register body must be a JSON object';
  }
  const record = value as Record<string, unknown>;
  if ('configurationKeys' in record) return 'configurationKeys are not supported';
  const events = record.events ?? [];
  if (!Array.isArray(events) || !events.every((event) => typeof event === 'string')) {
    return 'events must be an array of strings';
  }
  return events;
}
