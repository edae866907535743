import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { InvocationContext } from '../src/invocation.js';
import { currentInvocation, runInInvocation } from '../src/invocation-scope.js';

function contextFor(awsRequestId: string): InvocationContext {
  return { awsRequestId } as InvocationContext;
}

describe('runInInvocation', () => {
  it('has no current invocation outside a scope', () => {
    expect(currentInvocation()).toBeUndefined();
  });

  it('keeps each invocation current across awaits without leaking between concurrent ones', async () => {
    const seen: string[] = [];
    const run = (id: string, delays: number[]) =>
      runInInvocation(contextFor(id), async () => {
        for (const delay of delays) {
          await sleep(delay);
          seen.push(`${id}:${currentInvocation()?.awsRequestId}`);
        }
      });

    await Promise.all([run('a', [5, 1, 8]), run('b', [1, 9, 1])]);

    expect(seen).toHaveLength(6);
    for (const entry of seen) {
      const [expected, actual] = entry.split(':');
      expect(actual).toBe(expected);
    }
    expect(currentInvocation()).toBeUndefined();
  });
});
