import type { EmulatedInvocation } from './invocation-dispatcher.js';
import type { InvocationStateMachine, NextWaiter } from './invocation-state-machine.js';
import type { RuntimeExchange } from './runtime-exchange.js';

export interface NextLongPollOptions {
  /** The delay to write the invocation after, if a delayed delivery was asked for. */
  readonly takeDelay: () => number | undefined;
  /** Writes the invocation as the answer. */
  readonly write: (invocation: EmulatedInvocation) => void;
  /** The long poll is over: answered, or its client went away. Runs once. */
  readonly onEnd: () => void;
}

/**
 * One parked `GET /runtime/invocation/next`: waits in the state machine until it is handed an
 * invocation, then writes it at once or after an injected delay. If its client goes away first,
 * it leaves the machine, and an invocation it was holding back goes to the front of the queue.
 */
export class NextLongPoll implements NextWaiter<EmulatedInvocation> {
  readonly #exchange: RuntimeExchange;
  readonly #machine: InvocationStateMachine<EmulatedInvocation>;
  readonly #options: NextLongPollOptions;
  #open = true;
  #delayed: { readonly invocation: EmulatedInvocation; readonly timer: NodeJS.Timeout } | undefined;

  constructor(
    exchange: RuntimeExchange,
    machine: InvocationStateMachine<EmulatedInvocation>,
    options: NextLongPollOptions,
  ) {
    this.#exchange = exchange;
    this.#machine = machine;
    this.#options = options;
    exchange.response.on('close', () => this.#clientGone());
  }

  /** Waits for an invocation; a parked request is published so waiters see the long poll. */
  park(): void {
    this.#machine.next(this);
    if (this.#open) this.#exchange.publish();
  }

  deliver(invocation: EmulatedInvocation): boolean {
    if (!this.#open || this.#exchange.gone || this.#delayed !== undefined) return false;
    const delayMs = this.#options.takeDelay();
    if (delayMs === undefined) {
      this.#answer(invocation);
      return true;
    }
    const timer = setTimeout(() => {
      this.#delayed = undefined;
      // The invoke may have timed out meanwhile: then this /next waits for the next one.
      if (this.#machine.isInFlight(invocation)) this.#answer(invocation);
      else this.#machine.next(this);
    }, delayMs);
    this.#delayed = { invocation, timer };
    return true;
  }

  #answer(invocation: EmulatedInvocation): void {
    this.#end();
    this.#options.write(invocation);
  }

  #clientGone(): void {
    if (!this.#open) return;
    this.#end();
    const delayed = this.#delayed;
    if (delayed === undefined) {
      this.#machine.unpark(this);
      return;
    }
    clearTimeout(delayed.timer);
    this.#delayed = undefined;
    this.#machine.requeue(delayed.invocation);
  }

  #end(): void {
    this.#open = false;
    this.#options.onEnd();
  }
}
