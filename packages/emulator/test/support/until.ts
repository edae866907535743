import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `condition()` holds, checking every few ms; rejects after `timeoutMs`. For states
 * with no event to wait on (a front-door call that arrived and queued); it asserts no timing.
 */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`The condition did not hold within ${timeoutMs} ms`);
    await sleep(5);
  }
}
