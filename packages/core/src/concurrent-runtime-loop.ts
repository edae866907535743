import {
  type Handler,
  type InvocationContext,
  type Logger,
  RuntimeApiError,
  type RuntimeLoop,
  TransportError,
} from '@lambda-runtime/api';

/** How a poller of Lambda Managed Instances retries a failed `/next` (capped exponential backoff). */
export interface NextBackoff {
  /** The first wait, in ms (default 100). Each retry doubles the cap of the wait. */
  readonly initialDelayMs?: number;
  /** The largest wait, in ms (default 10,000). */
  readonly maxDelayMs?: number;
  /** Retries of one `/next` before its failure is fatal (default 100, over 15 minutes). */
  readonly maxRetries?: number;
  /** A number in [0, 1) (default `Math.random`); the wait is drawn between half its cap and its cap. */
  readonly random?: () => number;
}

const DEFAULT_INITIAL_DELAY_MS = 100;
const DEFAULT_MAX_DELAY_MS = 10_000;
// 100 ms doubling to 10 s, then 10 s a retry: about 15 minutes, the longest an LMI Init may take, so
// a Runtime API that is being replaced has time to come back while other pollers finish their work.
const DEFAULT_MAX_RETRIES = 100;

/**
 * The `retryNext` policy of a poller under Lambda Managed Instances (docs/runtime-api.md §6.5,
 * checklist item 44): a refused or lost connection and a 5xx are retried with capped exponential
 * backoff and jitter instead of ending the process and every invocation in flight with it. A 4xx
 * (the Runtime API refuses this runtime a `/next`) and a protocol violation stay fatal.
 *
 * @example
 * ```ts
 * new DefaultRuntimeLoop(transport, contextBuilder, codec, logger, env, { retryNext: nextBackoff() });
 * ```
 */
export function nextBackoff(
  options: NextBackoff = {},
): (error: unknown, attempt: number) => number | undefined {
  const initial = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const random = options.random ?? Math.random;
  return (error, attempt) => {
    const retryable =
      error instanceof TransportError || (error instanceof RuntimeApiError && error.status >= 500);
    if (!retryable || attempt >= maxRetries) return undefined;
    // Equal jitter: pollers that failed together do not retry together, and none retries at once.
    const cap = Math.min(max, initial * 2 ** Math.min(attempt, 30));
    return Math.round(cap / 2 + random() * (cap / 2));
  };
}

/**
 * The loop of Lambda Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY` = N > 1): N pollers, each a
 * single-concurrency loop with its own connection, so that N `/next` long polls are parked at once
 * and up to N handlers run at once, each answer going to its own request id (checklist items 40,
 * 41). A poller answers through the same per-invocation path as the single-concurrency loop.
 *
 * `stop()` stops every poller: none polls again, the invocations in flight finish and are answered,
 * then `run()` resolves. The first fatal failure of a poller stops the others and rejects `run()`.
 *
 * @example
 * ```ts
 * const loop = new ConcurrentRuntimeLoop(
 *   Array.from({ length: 4 }, () => {
 *     const transport = new SocketTransport({ origin });
 *     return new DefaultRuntimeLoop(transport, contextBuilder, codec, logger, env, {
 *       retryNext: nextBackoff(), postFailures: 'logged', waitForEmptyEventLoop: false,
 *     });
 *   }),
 *   logger,
 * );
 * await loop.run(handler);
 * ```
 */
export class ConcurrentRuntimeLoop<TContext extends InvocationContext = InvocationContext>
  implements RuntimeLoop<TContext>
{
  private readonly pollers: readonly RuntimeLoop<TContext>[];
  private readonly logger: Logger;
  private running = false;

  constructor(pollers: readonly RuntimeLoop<TContext>[], logger: Logger) {
    if (pollers.length === 0) throw new RangeError('ConcurrentRuntimeLoop needs at least one poller');
    this.pollers = pollers;
    this.logger = logger;
  }

  /** How many invocations may be in flight at once. */
  get concurrency(): number {
    return this.pollers.length;
  }

  async run(handler: Handler<unknown, unknown, TContext>): Promise<void> {
    if (this.running) throw new Error('ConcurrentRuntimeLoop.run() is already running');
    this.running = true;
    try {
      await new Promise<void>((resolve, reject) => {
        let left = this.pollers.length;
        const finished = (): void => {
          left -= 1;
          if (left === 0) resolve();
        };
        for (const poller of this.pollers) {
          poller.run(handler).then(finished, (error: unknown) => {
            // The process is about to end: the other pollers stop polling, and run() reports the
            // failure now rather than after their handlers finish.
            this.stop();
            reject(error);
          });
        }
      });
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    for (const poller of this.pollers) poller.stop();
  }

  /**
   * An uncaught exception or unhandled rejection cannot be traced to one of the invocations in
   * flight, and the process exits after it: each of them is answered with it on `/error` now, so
   * that no caller waits for a timeout. Resolves whether any answer was posted.
   */
  async failInFlight(error: unknown): Promise<boolean> {
    this.stop();
    const answered = await Promise.all(
      this.pollers.map((poller) =>
        poller.failInFlight === undefined
          ? false
          : poller.failInFlight(error).catch((postError: unknown) => {
              this.logger.error(
                { errorMessage: postError instanceof Error ? postError.message : String(postError) },
                'Could not answer an invocation in flight after an uncaught failure',
              );
              return false;
            }),
      ),
    );
    return answered.includes(true);
  }
}
