import { type Clock, systemClock } from '@lambda-runtime/api';
import { DeadlineExceededError } from './deadline-exceeded-error.js';

// setTimeout's longest delay; a longer one fires at once (with a TimeoutOverflowWarning).
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * An `AbortSignal` that aborts at an invocation's deadline with a {@link DeadlineExceededError},
 * and the means to stop it: `clear()` cancels the timer, after which it never aborts. The timer is
 * unref'd, so it never keeps the process alive. This is what `context.signal` of the default
 * context is; a context builder that makes contexts from scratch can use it for theirs.
 *
 * The deadline is a wall-clock time (epoch milliseconds): the timer re-checks the clock when it
 * fires and waits on if the deadline is still ahead, so the signal never aborts early, even when
 * timers and the wall clock disagree by a millisecond.
 *
 * @example
 * ```ts
 * class MyContext implements InvocationContext {
 *   #deadline: DeadlineSignal | undefined;
 *   get signal(): AbortSignal {
 *     this.#deadline ??= new DeadlineSignal(this.awsRequestId, this.deadlineMs);
 *     return this.#deadline.signal;
 *   }
 *   [RELEASE_CONTEXT](): void {
 *     this.#deadline?.clear();
 *   }
 *   // ...the other InvocationContext members
 * }
 * ```
 */
export class DeadlineSignal {
  /** Aborts at the deadline, with a {@link DeadlineExceededError} as its `reason`. */
  readonly signal: AbortSignal;
  readonly #controller: AbortController;
  readonly #requestId: string;
  readonly #deadlineMs: number;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;

  /**
   * Aborted at once when the deadline has already passed.
   *
   * @param requestId - named in the abort reason.
   * @param deadlineMs - epoch milliseconds.
   * @param clock - the time source the deadline is compared with; swap it in tests.
   */
  constructor(requestId: string, deadlineMs: number, clock: Clock = systemClock) {
    this.#controller = new AbortController();
    this.signal = this.#controller.signal;
    this.#requestId = requestId;
    this.#deadlineMs = deadlineMs;
    this.#clock = clock;
    this.#check();
  }

  /** Cancels the timer: the signal never aborts after this (if it has not already). Idempotent. */
  clear(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    this.#timer = undefined;
    const remaining = this.#deadlineMs - this.#clock.now();
    // `!(> 0)` rather than `<= 0`: a NaN deadline counts as passed instead of re-arming forever.
    if (!(remaining > 0)) {
      this.#controller.abort(new DeadlineExceededError(this.#requestId, this.#deadlineMs));
      return;
    }
    this.#timer = setTimeout(() => this.#check(), Math.min(remaining, MAX_TIMER_DELAY_MS));
    // A handler's deadline must not hold the process open (or delay its exit).
    this.#timer.unref();
  }
}
