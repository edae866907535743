/**
 * Actions a contract server runs later, all cancelled when it closes, so a check that ends early
 * leaves no timer behind to write to a socket of the next check.
 *
 * @example
 * ```ts
 * const timers = new PendingTimers();
 * timers.schedule(100, () => socket.write(answer));
 * timers.cancelAll(); // on close
 * ```
 */
export class PendingTimers {
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Runs `action` after `ms` unless {@link cancelAll} comes first. */
  schedule(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  /** Cancels every action not yet run. */
  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
