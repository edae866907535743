import { LambdaRuntimeError, toErrorDocument } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../src/deadline-exceeded-error.js';
import { DeadlineSignal } from '../src/deadline-signal.js';

const NOW = 1_767_225_600_000;
const LONGEST_TIMER_MS = 2_147_483_647;

describe('DeadlineSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts at a deadline beyond the longest timer delay instead of at once', () => {
    const deadline = new DeadlineSignal('id-1', NOW + LONGEST_TIMER_MS + 1_000);

    vi.advanceTimersByTime(LONGEST_TIMER_MS + 999);
    const before = deadline.signal.aborted;
    vi.advanceTimersByTime(1);

    expect(before).toBe(false);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('compares the deadline with the clock it is given when one is', () => {
    let now = 5_000;
    const deadline = new DeadlineSignal('id-1', 6_000, { now: () => now });

    vi.advanceTimersByTime(1_000);
    const atTimer = deadline.signal.aborted;
    now = 6_000;
    vi.advanceTimersByTime(1_000);

    expect(atTimer).toBe(false);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('counts a deadline that is not a number as passed', () => {
    const deadline = new DeadlineSignal('id-1', Number.NaN);

    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('Invocation id-1 passed its deadline (NaN ms)');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops the timer when cleared, and clears twice without complaint', () => {
    const deadline = new DeadlineSignal('id-1', NOW + 1_000);

    deadline.clear();
    deadline.clear();
    vi.advanceTimersByTime(2_000);

    expect(deadline.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('DeadlineExceededError', () => {
  it('is a runtime error named TimeoutError whose error document carries Runtime.DeadlineExceeded', () => {
    const error = new DeadlineExceededError('id-1', NOW);

    const document = toErrorDocument(error);

    expect(error).toBeInstanceOf(LambdaRuntimeError);
    expect(error.name).toBe('TimeoutError');
    expect(document.errorType).toBe('Runtime.DeadlineExceeded');
    expect(document.errorMessage).toBe(
      `Invocation id-1 passed its deadline (${new Date(NOW).toISOString()})`,
    );
    expect(document.stackTrace[0]).toMatch(/^TimeoutError: Invocation id-1/);
  });
});
