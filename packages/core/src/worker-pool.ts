import type { Worker } from 'node:worker_threads';
import { type LambdaEnvironment, type Logger, toErrorDocument } from '@lambda-runtime/api';
import { registerInternalExtension } from './internal-extension.js';
import { DEFAULT_USER_AGENT } from './runtime-api-client.js';
import { RuntimeExitError } from './runtime-exit-error.js';
import {
  INTERNAL_EXTENSION_NAME,
  type LambdaRuntimeOptions,
  type RuntimeParts,
} from './runtime-lifecycle.js';
import { SHARE_KEY, SHUTDOWN_MESSAGE, shares, type WorkerShare } from './worker-share.js';

// Flags a worker thread refuses (the heap limits belong to the process).
const PROCESS_ONLY_FLAGS = ['--max-old-space-size', '--max-semi-space-size', '--expose-gc'];

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The script each worker runs (default: the process's main script, `process.argv[1]`). */
  readonly entry?: string | URL;
  /** Arguments after the script (default: the process's own). */
  readonly argv?: readonly string[];
  /** How long workers may take to finish after a shutdown (default 300 ms) before they are terminated. */
  readonly shutdownTimeoutMs?: number;
}

/**
 * The worker threads of Lambda Managed Instances when `AWS_LAMBDA_NODEJS_WORKER_COUNT` is above 1,
 * as the managed Node.js runtime runs them: each worker runs the same entry script, so it loads and
 * initializes the function itself, and keeps its share of the `AWS_LAMBDA_MAX_CONCURRENCY` polls
 * ({@link shares}). The main thread polls nothing; it starts the workers, logs a worker that fails,
 * forwards `SIGTERM` (only the main thread receives signals) and waits.
 *
 * A worker that fails (an init error, an uncaught exception) ends alone; the others go on serving.
 * {@link WorkerPool.run} resolves once every worker has ended, with the exit code the process
 * should end with: 0 when all ended cleanly, else 1.
 *
 * @example
 * ```ts
 * const code = await new WorkerPool(environment, logger).run(poolSize(environment));
 * process.exit(code);
 * ```
 */
export class WorkerPool {
  private readonly environment: LambdaEnvironment;
  private readonly logger: Logger;
  private readonly options: WorkerPoolOptions;
  private readonly workers = new Set<Worker>();
  private shuttingDown = false;

  constructor(environment: LambdaEnvironment, logger: Logger, options: WorkerPoolOptions = {}) {
    this.environment = environment;
    this.logger = logger;
    this.options = options;
  }

  /** Starts `size` workers and resolves with the exit code once all of them have ended. */
  async run(size: number): Promise<number> {
    const entry = this.options.entry ?? process.argv[1];
    if (entry === undefined) throw new Error('WorkerPool needs an entry script (process.argv[1] is not set)');
    const argv = [...(this.options.argv ?? process.argv.slice(2))];
    const execArgv = process.execArgv.filter((flag) => !PROCESS_ONLY_FLAGS.some((f) => flag.startsWith(f)));
    this.logger.info(
      { workers: size, maxConcurrency: this.environment.maxConcurrency },
      `Starting ${size} worker threads for ${this.environment.maxConcurrency} concurrent invocations`,
    );
    // Loaded here, not at import: only a pool under Lambda Managed Instances needs it.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const exits = shares(this.environment.maxConcurrency, size).map((share) => {
      const worker = new Worker(entry, { argv, execArgv, workerData: { [SHARE_KEY]: share } });
      this.workers.add(worker);
      return this.watch(worker, share);
    });
    const codes = await Promise.all(exits);
    return codes.every((code) => code === 0) ? 0 : 1;
  }

  /** Tells every worker to stop polling and finish; terminates those still running after the timeout. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const workers = [...this.workers];
    for (const worker of workers) worker.postMessage(SHUTDOWN_MESSAGE);
    const timeoutMs = this.options.shutdownTimeoutMs ?? 300;
    let timer: NodeJS.Timeout | undefined;
    const ended = Promise.all(workers.map((worker) => waitForExit(worker))).then(() => false as const);
    const late = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const timedOut = await Promise.race([ended, late]);
    clearTimeout(timer);
    if (timedOut) await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private watch(worker: Worker, share: WorkerShare): Promise<number> {
    return new Promise<number>((resolve) => {
      let failure: unknown;
      worker.on('error', (error) => {
        failure = error;
      });
      worker.on('exit', (code) => {
        this.workers.delete(worker);
        if (failure !== undefined || (code !== 0 && !this.shuttingDown)) {
          const document = toErrorDocument(failure ?? new Error(`exit code ${code}`));
          this.logger.error(
            {
              worker: share.index,
              exitCode: code,
              errorType: document.errorType,
              errorMessage: document.errorMessage,
            },
            `Worker ${share.index} ended (${document.errorMessage}); ${this.workers.size} still serving`,
          );
        }
        resolve(failure === undefined ? code : 1);
      });
    });
  }
}

/**
 * The main thread of a process that runs {@link WorkerPool}: logs the environment's warnings,
 * registers the internal extension when shutdown hooks want `SIGTERM` (the workers run the hooks),
 * passes `SIGTERM` on to the workers, and exits with the pool's code once every worker has ended.
 * The main thread never loads the function.
 */
export async function runWorkerPool(
  parts: Pick<RuntimeParts, 'environment' | 'logger'>,
  size: number,
  options: LambdaRuntimeOptions,
  hasShutdownHooks: boolean,
): Promise<never> {
  const { environment, logger } = parts;
  for (const warning of environment.warnings) logger.warn(warning);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const pool = new WorkerPool(environment, logger, {
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
  });
  let shuttingDown = false;
  const onSigterm = (): void => {
    shuttingDown = true;
    logger.info('SIGTERM received, shutting down the workers');
    pool.shutdown().catch(noop);
  };
  if (options.processHandlers ?? true) process.on('SIGTERM', onSigterm);
  let extension: { close(): void } | undefined;
  if (options.receiveSigterm ?? hasShutdownHooks) {
    extension = await registerInternalExtension(
      environment.runtimeApi,
      INTERNAL_EXTENSION_NAME,
      logger,
      DEFAULT_USER_AGENT,
    );
  }
  let code: number;
  try {
    code = await pool.run(size);
  } catch (error) {
    const document = toErrorDocument(error);
    logger.fatal(
      { errorType: document.errorType, errorMessage: document.errorMessage },
      'Could not start the workers',
    );
    code = 1;
  }
  process.off('SIGTERM', onSigterm);
  extension?.close();
  if (shuttingDown) code = 0;
  logger.flush?.();
  exit(code);
  throw new RuntimeExitError(code);
}

function waitForExit(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
  });
}

function noop(): void {}
