import type * as WorkerThreads from 'node:worker_threads';
import type { LambdaEnvironment } from '@lambda-runtime/api';

/** What a worker of the pool is told at start: which one it is and how many polls it keeps. */
export interface WorkerShare {
  /** 0-based position in the pool. */
  readonly index: number;
  /** How many `/next` long polls (and handlers at once) this worker keeps. */
  readonly pollers: number;
  /** How many workers the pool has. */
  readonly workers: number;
}

// Under this key of workerData; a worker started by someone else (not the pool) has none.
export const SHARE_KEY = '@lambda-runtime/worker-share';
export const SHUTDOWN_MESSAGE = '@lambda-runtime/shutdown';

/**
 * `node:worker_threads`, loaded on first use (~0.5 ms and a few modules): a thread can be a worker of
 * the pool only under Lambda Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY` above 1, inherited by
 * the workers), so callers that have the environment ask {@link inPool} first.
 */
function threads(): typeof WorkerThreads {
  return process.getBuiltinModule('node:worker_threads');
}

/** Whether this thread may be, or may start, a worker pool: only when invocations run at once. */
export function inPool(environment: LambdaEnvironment): boolean {
  return environment.maxConcurrency > 1;
}

/** This thread's share when it is a worker of the pool, else `undefined`. */
export function workerShare(): WorkerShare | undefined {
  const { isMainThread, workerData } = threads();
  if (isMainThread) return undefined;
  const data = (workerData as Record<string, unknown> | null | undefined)?.[SHARE_KEY];
  return isShare(data) ? data : undefined;
}

/** {@link workerShare} when `environment` allows a pool at all, else `undefined` without looking. */
export function poolWorkerShare(environment: LambdaEnvironment): WorkerShare | undefined {
  return inPool(environment) ? workerShare() : undefined;
}

/**
 * How many `/next` polls this thread keeps: its share in a worker of the pool, else
 * `AWS_LAMBDA_MAX_CONCURRENCY`.
 */
export function pollerCount(environment: LambdaEnvironment): number {
  return poolWorkerShare(environment)?.pollers ?? environment.maxConcurrency;
}

/**
 * How many worker threads this process starts: none (0) unless this is the main thread under Lambda
 * Managed Instances with `AWS_LAMBDA_NODEJS_WORKER_COUNT` above 1; never more workers than
 * `AWS_LAMBDA_MAX_CONCURRENCY`, so that each keeps at least one poll.
 */
export function poolSize(environment: LambdaEnvironment): number {
  const workers = environment.workerCount;
  if (!inPool(environment) || workers === undefined || workers <= 1) return 0;
  if (!threads().isMainThread || workerShare() !== undefined) return 0;
  return Math.min(workers, environment.maxConcurrency);
}

/**
 * The shares of `total` polls among `workers` workers, as even as can be: 10 among 4 is 3, 3, 2, 2.
 *
 * @example
 * ```ts
 * shares(10, 4).map((share) => share.pollers); // [3, 3, 2, 2]
 * ```
 */
export function shares(total: number, workers: number): WorkerShare[] {
  return Array.from({ length: workers }, (_, index) => ({
    index,
    workers,
    pollers: Math.floor(total / workers) + (index < total % workers ? 1 : 0),
  }));
}

/**
 * Calls `onShutdown` when the pool tells this worker to shut down (the pool's main thread got
 * `SIGTERM`, which only the main thread receives). Returns what stops listening; a no-op outside a
 * worker of the pool.
 */
export function onPoolShutdown(environment: LambdaEnvironment, onShutdown: () => void): () => void {
  if (poolWorkerShare(environment) === undefined) return noop;
  const port = threads().parentPort;
  if (port === null) return noop;
  const listener = (message: unknown): void => {
    if (message === SHUTDOWN_MESSAGE) onShutdown();
  };
  port.on('message', listener);
  // The port must not keep a worker alive that has nothing else to do.
  port.unref();
  return () => port.off('message', listener);
}

function isShare(value: unknown): value is WorkerShare {
  if (typeof value !== 'object' || value === null) return false;
  const share = value as Record<string, unknown>;
  return (
    typeof share.index === 'number' && typeof share.pollers === 'number' && typeof share.workers === 'number'
  );
}

function noop(): void {}
