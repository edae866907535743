import type { InvokeOutcome } from './invoke-result.js';

/** What the state machine needs from an invocation: its id and a way to end it. */
export interface TrackedInvocation {
  readonly requestId: string;
  /** Ends the invocation with a result (called at most once by the state machine). */
  settle(outcome: InvokeOutcome): void;
  /** Ends the invocation with a rejection (called at most once by the state machine). */
  fail(error: Error): void;
}

/** A parked `GET /next`. */
export interface NextWaiter<T extends TrackedInvocation> {
  /** Hands the invocation to the runtime; `false` when the request is gone and cannot take it. */
  deliver(invocation: T): boolean;
}

/** Where an answer's request id stands (decides 202 / 400 / 403 / 410). */
export type AnswerCheck = 'current' | 'unknown' | 'answered' | 'timed-out';

/**
 * The Runtime API lifecycle for one single-concurrency runtime (docs/runtime-api.md §6.1–6.3), free of
 * HTTP: a FIFO queue of invocations, the parked `/next` calls, the one invocation in flight, the ids
 * already answered, and the Init phase.
 *
 * A `/next` that arrives while an invocation is in flight is parked until that invocation ends
 * (the RIE would re-deliver the same event; parking keeps the single-flight rule observable).
 */
export class InvocationStateMachine<T extends TrackedInvocation> {
  readonly #queue: T[] = [];
  readonly #parked: NextWaiter<T>[] = [];
  readonly #finished = new Map<string, 'answered' | 'timed-out'>();
  #inFlight: T | undefined;
  #initDone = false;
  #initFailure: InvokeOutcome | undefined;

  /** The delivered, not yet answered invocation. */
  get inFlight(): T | undefined {
    return this.#inFlight;
  }

  /** Invocations waiting for a `/next`. */
  get queued(): readonly T[] {
    return this.#queue;
  }

  /** Number of parked `/next` calls. */
  get parkedCount(): number {
    return this.#parked.length;
  }

  /** True once the runtime called `/next` (Init is over; `/init/error` is no longer allowed). */
  get initDone(): boolean {
    return this.#initDone;
  }

  /** True once `/init/error` was accepted. */
  get initFailed(): boolean {
    return this.#initFailure !== undefined;
  }

  /** Queues an invocation; after an accepted `/init/error` it ends at once with that error. */
  enqueue(invocation: T): void {
    if (this.#initFailure !== undefined) {
      invocation.settle(this.#initFailure);
      return;
    }
    this.#queue.push(invocation);
    this.#pump();
  }

  /** A `GET /next` arrived: `forbidden` after `/init/error` (403), else it is parked or served. */
  next(waiter: NextWaiter<T>): 'forbidden' | 'parked' {
    if (this.#initFailure !== undefined) return 'forbidden';
    this.#initDone = true;
    this.#parked.push(waiter);
    this.#pump();
    return 'parked';
  }

  /** A parked `/next` went away (client closed it). */
  unpark(waiter: NextWaiter<T>): void {
    const index = this.#parked.indexOf(waiter);
    if (index >= 0) this.#parked.splice(index, 1);
  }

  /**
   * Takes back an in-flight invocation whose `/next` went away before its answer was written (a
   * delayed delivery): it goes to the front of the queue. No-op for any other invocation.
   */
  requeue(invocation: T): void {
    if (this.#inFlight !== invocation) return;
    this.#inFlight = undefined;
    this.#queue.unshift(invocation);
    this.#pump();
  }

  /** Classifies the id of a `/response` or `/error`. */
  check(requestId: string): AnswerCheck {
    const finished = this.#finished.get(requestId);
    if (finished !== undefined) return finished;
    return this.#inFlight?.requestId === requestId ? 'current' : 'unknown';
  }

  /** Ends the in-flight invocation with `requestId` (no-op for any other id). */
  finish(requestId: string, outcome: InvokeOutcome): void {
    const invocation = this.#inFlight;
    if (invocation === undefined || invocation.requestId !== requestId) return;
    this.#inFlight = undefined;
    this.#finished.set(requestId, 'answered');
    invocation.settle(outcome);
    this.#pump();
  }

  /** A `/init/error` arrived: `false` (403) after the first `/next` or a previous report. */
  initError(outcome: InvokeOutcome): boolean {
    if (this.#initDone || this.#initFailure !== undefined) return false;
    this.#initFailure = outcome;
    for (const invocation of this.#queue.splice(0)) invocation.settle(outcome);
    return true;
  }

  /** Drops an invocation that got no answer in time; a late answer for it gets `timed-out`. */
  abandon(invocation: T): void {
    const index = this.#queue.indexOf(invocation);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      return;
    }
    if (this.#inFlight === invocation) {
      this.#inFlight = undefined;
      this.#finished.set(invocation.requestId, 'timed-out');
      this.#pump();
    }
  }

  /** The runtime is gone: every queued and in-flight invocation ends with `outcomeFor(id)`. */
  runtimeExited(outcomeFor: (requestId: string) => InvokeOutcome): void {
    for (const invocation of this.#drain()) {
      this.#finished.set(invocation.requestId, 'answered');
      invocation.settle(outcomeFor(invocation.requestId));
    }
  }

  /** Rejects every queued and in-flight invocation (the emulator is closing). */
  close(error: Error): void {
    for (const invocation of this.#drain()) invocation.fail(error);
    this.#parked.splice(0);
  }

  #drain(): T[] {
    const pending = this.#inFlight === undefined ? [] : [this.#inFlight];
    this.#inFlight = undefined;
    pending.push(...this.#queue.splice(0));
    return pending;
  }

  /** Delivers the oldest queued invocation to the oldest live parked `/next`, one at a time. */
  #pump(): void {
    while (this.#inFlight === undefined && this.#queue.length > 0) {
      const waiter = this.#parked.shift();
      const invocation = this.#queue[0];
      if (waiter === undefined || invocation === undefined) return;
      if (waiter.deliver(invocation)) {
        this.#queue.shift();
        this.#inFlight = invocation;
      }
    }
  }
}
