import type { LambdaEnvironment } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { shares, workerShare } from '../src/index.js';
import { pollerCount, poolSize } from '../src/worker-share.js';

function environment(maxConcurrency: number, workerCount?: number): LambdaEnvironment {
  return { maxConcurrency, workerCount } as LambdaEnvironment;
}

describe('shares', () => {
  it.each([
    [10, 4, [3, 3, 2, 2]],
    [8, 2, [4, 4]],
    [3, 3, [1, 1, 1]],
    [64, 3, [22, 21, 21]],
  ])('item 40: splits %i polls among %i workers as evenly as can be', (total, workers, expected) => {
    const result = shares(total, workers);

    expect(result.map((share) => share.pollers)).toEqual(expected);
    expect(result.map((share) => share.index)).toEqual(expected.map((_, index) => index));
    expect(result.reduce((sum, share) => sum + share.pollers, 0)).toBe(total);
  });
});

describe('poolSize', () => {
  it.each([
    ['no worker count', environment(8), 0],
    ['a worker count of 1', environment(8, 1), 0],
    ['single concurrency', environment(1, 4), 0],
    ['2 workers for 8 invocations', environment(8, 2), 2],
    ['more workers than invocations', environment(3, 8), 3],
  ])('starts the right number of workers with %s', (_, env, expected) => {
    expect(poolSize(env)).toBe(expected);
  });
});

describe('pollerCount', () => {
  it('is AWS_LAMBDA_MAX_CONCURRENCY outside a worker of the pool', () => {
    expect(workerShare()).toBeUndefined();
    expect(pollerCount(environment(16, 2))).toBe(16);
  });
});
