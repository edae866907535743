import { describe, expect, it } from 'vitest';
import {
  InvocationStateMachine,
  type NextWaiter,
  type TrackedInvocation,
} from '../src/invocation-state-machine.js';
import type { InvokeOutcome } from '../src/invoke-result.js';

interface TestInvocation extends TrackedInvocation {
  outcome: InvokeOutcome | undefined;
  error: Error | undefined;
}

function invocation(requestId: string): TestInvocation {
  const created: TestInvocation = {
    requestId,
    outcome: undefined,
    error: undefined,
    settle: (outcome) => {
      created.outcome = outcome;
    },
    fail: (error) => {
      created.error = error;
    },
  };
  return created;
}

function waiter(delivered: string[], accept = true): NextWaiter<TestInvocation> {
  return {
    deliver: (delivering) => {
      if (accept) delivered.push(delivering.requestId);
      return accept;
    },
  };
}

const success: InvokeOutcome = { status: 'success', via: 'response', payload: Buffer.from('{}') };

describe('InvocationStateMachine', () => {
  it('delivers queued invocations first in, first out, one in flight at a time', () => {
    const machine = new InvocationStateMachine<TestInvocation>();
    const delivered: string[] = [];
    machine.enqueue(invocation('a'));
    machine.enqueue(invocation('b'));

    machine.next(waiter(delivered));
    machine.next(waiter(delivered));
    const whileBusy = [...delivered];
    machine.finish('a', success);

    expect(whileBusy).toEqual(['a']);
    expect(delivered).toEqual(['a', 'b']);
    expect(machine.inFlight?.requestId).toBe('b');
  });

  it('puts a requeued in-flight invocation first and delivers it to the next /next', () => {
    const machine = new InvocationStateMachine<TestInvocation>();
    const delivered: string[] = [];
    const first = invocation('a');
    machine.enqueue(first);
    machine.enqueue(invocation('b'));
    machine.next(waiter(delivered));

    machine.requeue(invocation('not-in-flight'));
    const afterForeign = machine.inFlight?.requestId;
    machine.requeue(first);
    const queued = machine.queued.map((queuedInvocation) => queuedInvocation.requestId);
    machine.next(waiter(delivered));

    expect(afterForeign).toBe('a');
    expect(queued).toEqual(['a', 'b']);
    expect(delivered).toEqual(['a', 'a']);
    expect(machine.inFlight).toBe(first);
    expect(machine.check('a')).toBe('current');
  });

  it('classifies ids as current, unknown, answered and timed-out', () => {
    const machine = new InvocationStateMachine<TestInvocation>();
    const slow = invocation('slow');
    machine.enqueue(invocation('done'));
    machine.next(waiter([]));
    const current = machine.check('done');
    machine.finish('done', success);
    machine.enqueue(slow);
    machine.next(waiter([]));
    machine.abandon(slow);

    expect(current).toBe('current');
    expect(machine.check('done')).toBe('answered');
    expect(machine.check('slow')).toBe('timed-out');
    expect(machine.check('other')).toBe('unknown');
  });

  it('skips a parked /next that can no longer take an invocation', () => {
    const machine = new InvocationStateMachine<TestInvocation>();
    const delivered: string[] = [];
    machine.next(waiter(delivered, false));
    machine.next(waiter(delivered));

    machine.enqueue(invocation('a'));

    expect(delivered).toEqual(['a']);
    expect(machine.parkedCount).toBe(0);
  });

  it('accepts /init/error only before the first /next and then forbids /next', () => {
    const failing = new InvocationStateMachine<TestInvocation>();
    const late = new InvocationStateMachine<TestInvocation>();
    const queued = invocation('q');
    const initFailure: InvokeOutcome = { status: 'error', via: 'init-error', payload: Buffer.from('{}') };
    failing.enqueue(queued);
    late.next(waiter([]));

    const accepted = failing.initError(initFailure);
    const nextAfter = failing.next(waiter([]));
    const lateAccepted = late.initError(initFailure);

    expect(accepted).toBe(true);
    expect(queued.outcome).toBe(initFailure);
    expect(nextAfter).toBe('forbidden');
    expect(lateAccepted).toBe(false);
  });

  it('fails every pending invocation when closed and settles them when the runtime exits', () => {
    const closing = new InvocationStateMachine<TestInvocation>();
    const exiting = new InvocationStateMachine<TestInvocation>();
    const [a, b, c] = [invocation('a'), invocation('b'), invocation('c')];
    closing.enqueue(a);
    closing.next(waiter([]));
    closing.enqueue(b);
    exiting.enqueue(c);

    closing.close(new Error('closed'));
    exiting.runtimeExited((requestId) => ({ status: 'error', via: 'exit', payload: Buffer.from(requestId) }));

    expect(a.error?.message).toBe('closed');
    expect(b.error?.message).toBe('closed');
    expect(c.outcome?.via).toBe('exit');
    expect(exiting.check('c')).toBe('answered');
  });

  describe('with maxConcurrency', () => {
    it('delivers up to N invocations at once and the next one when any of them ends', () => {
      const machine = new InvocationStateMachine<TestInvocation>({ maxConcurrency: 3 });
      const delivered: string[] = [];
      for (const id of ['a', 'b', 'c', 'd']) machine.enqueue(invocation(id));
      for (let poll = 0; poll < 4; poll += 1) machine.next(waiter(delivered));
      const whileFull = [...delivered];

      machine.finish('b', success);

      expect(whileFull).toEqual(['a', 'b', 'c']);
      expect(delivered).toEqual(['a', 'b', 'c', 'd']);
      expect(machine.inFlightCount).toBe(3);
      expect(machine.maxInFlight).toBe(3);
      expect(machine.parkedCount).toBe(0);
    });

    it('ends each invocation with the answer for its own id in any order', () => {
      const machine = new InvocationStateMachine<TestInvocation>({ maxConcurrency: 3 });
      const invocations = ['a', 'b', 'c'].map(invocation);
      for (const each of invocations) machine.enqueue(each);
      for (const _ of invocations) machine.next(waiter([]));

      for (const id of ['c', 'a', 'b']) {
        machine.finish(id, { status: 'success', via: 'response', payload: Buffer.from(id) });
      }

      expect(invocations.map((each) => each.outcome?.payload.toString())).toEqual(['a', 'b', 'c']);
      expect(invocations.map((each) => machine.check(each.requestId))).toEqual([
        'answered',
        'answered',
        'answered',
      ]);
      expect(machine.inFlightCount).toBe(0);
    });

    it('gives the slot of a timed-out invocation to the next one and keeps the others current', () => {
      const machine = new InvocationStateMachine<TestInvocation>({ maxConcurrency: 2 });
      const delivered: string[] = [];
      const slow = invocation('slow');
      machine.enqueue(slow);
      machine.enqueue(invocation('fast'));
      machine.enqueue(invocation('waiting'));
      for (let poll = 0; poll < 3; poll += 1) machine.next(waiter(delivered));

      machine.abandon(slow);

      expect(delivered).toEqual(['slow', 'fast', 'waiting']);
      expect(machine.check('slow')).toBe('timed-out');
      expect(machine.check('fast')).toBe('current');
      expect(machine.check('waiting')).toBe('current');
    });
  });

  describe('with maxQueued', () => {
    it('refuses an invocation that cannot be delivered when the queue is full', () => {
      const machine = new InvocationStateMachine<TestInvocation>({ maxQueued: 2 });
      const delivered: string[] = [];
      machine.next(waiter(delivered));

      const answers = ['a', 'b', 'c', 'd'].map((id) => machine.enqueue(invocation(id)));

      expect(answers).toEqual(['accepted', 'accepted', 'accepted', 'throttled']);
      expect(delivered).toEqual(['a']);
      expect(machine.queued.map((queued) => queued.requestId)).toEqual(['b', 'c']);
    });

    it('accepts an invocation a parked /next takes at once even when no queue is allowed', () => {
      const machine = new InvocationStateMachine<TestInvocation>({ maxConcurrency: 2, maxQueued: 0 });
      machine.next(waiter([]));
      machine.next(waiter([]));

      const answers = ['a', 'b', 'c'].map((id) => machine.enqueue(invocation(id)));

      expect(answers).toEqual(['accepted', 'accepted', 'throttled']);
      expect(machine.queued).toHaveLength(0);
    });
  });
});
