import { inspect } from 'node:util';
import { type InvocationContext, RELEASE_CONTEXT } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../src/deadline-exceeded-error.js';
import { DefaultContextBuilder } from '../src/default-context-builder.js';
import { environment, invocation } from './support.js';

const NOW = 1_767_225_600_000;
const REQUEST_ID = '8476a536-e9f4-11e8-9739-2dfe598c3fcd';

/** A context as the loop gets it, its deadline `inMs` from the (fake) now. */
function contextDueIn(inMs: number): InvocationContext {
  return new DefaultContextBuilder(environment).build(
    invocation({
      requestId: REQUEST_ID,
      deadlineMs: String(NOW + inMs),
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
      traceId: undefined,
    }),
  );
}

/** What the runtime loop hands the handler when a custom builder froze the context. */
function frozenCopy(context: InvocationContext): InvocationContext {
  const original = Object.freeze(context);
  return Object.create(
    Object.getPrototypeOf(original) as object,
    Object.getOwnPropertyDescriptors(original),
  ) as InvocationContext;
}

function release(context: InvocationContext): void {
  context[RELEASE_CONTEXT]?.();
}

describe('DefaultInvocationContext', () => {
  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers({ now: NOW });
    });

    afterEach(() => {
      vi.useRealTimers();
    });

    it('arms no timer when the signal is never read, even when the context is serialized or inspected', () => {
      const context = contextDueIn(1_000);

      const json = JSON.stringify(context);
      const shown = inspect(context);
      release(context);

      expect(vi.getTimerCount()).toBe(0);
      expect(JSON.parse(json)).not.toHaveProperty('signal');
      expect(shown).not.toContain('signal');
    });

    it('arms one timer and returns the same signal when the signal is read twice', () => {
      const context = contextDueIn(1_000);

      const first = context.signal;
      const second = context.signal;

      expect(first).toBeInstanceOf(AbortSignal);
      expect(second).toBe(first);
      expect(vi.getTimerCount()).toBe(1);
    });

    it('aborts with a DeadlineExceededError at the deadline and not a millisecond before', () => {
      const context = contextDueIn(1_000);
      const signal = context.signal;

      vi.advanceTimersByTime(999);
      const before = signal.aborted;
      vi.advanceTimersByTime(1);

      expect(before).toBe(false);
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
      expect(signal.reason).toMatchObject({
        name: 'TimeoutError',
        errorType: 'Runtime.DeadlineExceeded',
        requestId: REQUEST_ID,
        deadlineMs: NOW + 1_000,
      });
      expect((signal.reason as Error).message).toBe(
        `Invocation ${REQUEST_ID} passed its deadline (${new Date(NOW + 1_000).toISOString()})`,
      );
      expect(vi.getTimerCount()).toBe(0);
    });

    it('is aborted already when first read after the deadline', () => {
      const context = contextDueIn(1_000);

      vi.setSystemTime(NOW + 1_500);
      const signal = context.signal;

      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('never aborts and clears its timer when the invocation is answered before the deadline', () => {
      const context = contextDueIn(1_000);
      const signal = context.signal;
      const onAbort = vi.fn();
      signal.addEventListener('abort', onAbort);

      release(context);
      const timersAfterRelease = vi.getTimerCount();
      vi.advanceTimersByTime(10_000);

      expect(timersAfterRelease).toBe(0);
      expect(signal.aborted).toBe(false);
      expect(onAbort).not.toHaveBeenCalled();
      expect(context.signal).toBe(signal);
    });

    it('stays aborted when the invocation is answered after the deadline', () => {
      const context = contextDueIn(1_000);
      const signal = context.signal;

      vi.advanceTimersByTime(1_000);
      release(context);

      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
    });

    it('arms no timer and gives a signal that never aborts when first read after the invocation is answered', () => {
      const context = contextDueIn(1_000);

      release(context);
      const signal = context.signal;
      vi.advanceTimersByTime(10_000);

      expect(vi.getTimerCount()).toBe(0);
      expect(signal.aborted).toBe(false);
    });

    it('waits on when the timer fires before the wall clock reaches the deadline', () => {
      const context = contextDueIn(1_000);
      const signal = context.signal;

      // The wall clock steps back 5 ms while the timer waits: the timer fires "early".
      vi.advanceTimersByTime(500);
      vi.setSystemTime(NOW + 495);
      vi.advanceTimersByTime(500);
      const atTimer = signal.aborted;
      vi.advanceTimersByTime(5);

      expect(atTimer).toBe(false);
      expect(signal.aborted).toBe(true);
    });

    it('aborts at the deadline on a copy with the same prototype and own properties', () => {
      const copy = frozenCopy(contextDueIn(1_000));

      const signal = copy.signal;
      const same = copy.signal === signal;
      vi.advanceTimersByTime(1_000);

      expect(same).toBe(true);
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toMatchObject({ requestId: REQUEST_ID, deadlineMs: NOW + 1_000 });
    });

    it('never aborts and clears its timer on a copy released before the deadline', () => {
      const copy = frozenCopy(contextDueIn(1_000));
      const signal = copy.signal;

      release(copy);
      vi.advanceTimersByTime(10_000);

      expect(signal.aborted).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps the signal when a custom builder extends the context with Object.assign', () => {
      const context = Object.assign(contextDueIn(1_000), { tenant: 'acme' });

      const signal = context.signal;
      vi.advanceTimersByTime(1_000);

      expect(signal.aborted).toBe(true);
    });
  });

  it('unrefs its timer, so a pending deadline does not keep the process alive', () => {
    const context = contextDueIn(Date.now() - NOW + 60_000);
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();

    const signal = context.signal;
    const whileArmed = timers();
    release(context);

    expect(signal.aborted).toBe(false);
    expect(whileArmed).toBe(before);
  });
});
