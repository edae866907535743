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

/** How many invocations a {@link InvocationStateMachine} runs at once and how many may wait. */
export interface InvocationStateMachineOptions {
  /** Invocations delivered and not yet answered, at most. Default 1 (the classic lifecycle). */
  readonly maxConcurrency?: number;
  /** Invocations waiting for a `/next`, at most; beyond it `enqueue` refuses. Default unbounded. */
  readonly maxQueued?: number;
}

/**
 * The Runtime API lifecycle (docs/runtime-api.md §6.1–6.3, §6.5), free of HTTP: a FIFO queue of
 * invocations, the parked `/next` calls, the invocations in flight (at most `maxConcurrency`), the
 * ids already answered, and the Init phase.
 *
 * With `maxConcurrency` 1 this is the classic single-concurrency runtime: a `/next` that arrives
 * while an invocation is in flight is parked until that invocation ends (the RIE would re-deliver
 * the same event; parking keeps the single-flight rule observable). With N it is a Managed
 * Instances environment: up to N invocations are handed to parked `/next` calls at once and each
 * is answered on its own id, in any order. Extra `/next` calls are parked in both modes.
 */
export class InvocationStateMachine<T extends TrackedInvocation> {
  readonly #queue: T[] = [];
  readonly #parked: NextWaiter<T>[] = [];
  readonly #finished = new Map<string, 'answered' | 'timed-out'>();
  /** In delivery order, keyed by request id. */
  readonly #inFlight = new Map<string, T>();
  readonly #maxConcurrency: number;
  readonly #maxQueued: number;
  #maxInFlight = 0;
  #initDone = false;
  #initFailure: InvokeOutcome | undefined;

  constructor(options: InvocationStateMachineOptions = {}) {
    this.#maxConcurrency = options.maxConcurrency ?? 1;
    this.#maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
  }

  /** The oldest delivered, not yet answered invocation (the only one in single-concurrency mode). */
  get inFlight(): T | undefined {
    return this.#inFlight.values().next().value;
  }

  /** How many invocations are delivered and not yet answered right now. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** The highest number of invocations that were in flight at the same time. */
  get maxInFlight(): number {
    return this.#maxInFlight;
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

  /** True while `invocation` is delivered and not yet answered. */
  isInFlight(invocation: T): boolean {
    return this.#inFlight.get(invocation.requestId) === invocation;
  }

  /**
   * Queues an invocation; after an accepted `/init/error` it ends at once with that error.
   * `throttled` when it could not be delivered at once and the queue is full: it was not queued,
   * and the caller ends it (429).
   */
  enqueue(invocation: T): 'accepted' | 'throttled' {
    if (this.#initFailure !== undefined) {
      invocation.settle(this.#initFailure);
      return 'accepted';
    }
    this.#queue.push(invocation);
    this.#pump();
    if (this.#queue.length > this.#maxQueued && this.#queue.at(-1) === invocation) {
      this.#queue.pop();
      return 'throttled';
    }
    return 'accepted';
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
    if (!this.isInFlight(invocation)) return;
    this.#inFlight.delete(invocation.requestId);
    this.#queue.unshift(invocation);
    this.#pump();
  }

  /** Classifies the id of a `/response` or `/error`. */
  check(requestId: string): AnswerCheck {
    const finished = this.#finished.get(requestId);
    if (finished !== undefined) return finished;
    return this.#inFlight.has(requestId) ? 'current' : 'unknown';
  }

  /** Ends the in-flight invocation with `requestId` (no-op for any other id). */
  finish(requestId: string, outcome: InvokeOutcome): void {
    const invocation = this.#inFlight.get(requestId);
    if (invocation === undefined) return;
    this.#inFlight.delete(requestId);
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

  /**
   * Drops an invocation that got no answer in time (the caller gave up, or its deadline passed); a
   * late answer for it gets `timed-out`, and its slot goes to the next queued invocation.
   */
  abandon(invocation: T): void {
    const index = this.#queue.indexOf(invocation);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      return;
    }
    if (this.isInFlight(invocation)) {
      this.#inFlight.delete(invocation.requestId);
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
    const pending = [...this.#inFlight.values()];
    this.#inFlight.clear();
    pending.push(...this.#queue.splice(0));
    return pending;
  }

  /** Delivers the oldest queued invocations to the oldest live parked `/next` calls, up to the limit. */
  #pump(): void {
    while (this.#inFlight.size < this.#maxConcurrency && this.#queue.length > 0) {
      const waiter = this.#parked.shift();
      const invocation = this.#queue[0];
      if (waiter === undefined || invocation === undefined) return;
      // In flight before `deliver`: a delivery writes the answer at once, and whatever that
      // triggers must already see the invocation as current.
      this.#queue.shift();
      this.#inFlight.set(invocation.requestId, invocation);
      if (waiter.deliver(invocation)) {
        this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight.size);
      } else {
        this.#inFlight.delete(invocation.requestId);
        this.#queue.unshift(invocation);
      }
    }
  }
}
