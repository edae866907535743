import { dirname, resolve } from 'node:path';
import type { Logger } from '@lambda-runtime/api';
import { type RuntimeExit, SpawnedRuntime, type SpawnRuntimeOptions } from './spawned-runtime.js';

/** Options of {@link RuntimeApiEmulator.shutdown}. */
export interface ShutdownOptions {
  /**
   * Time between SIGTERM and SIGKILL when an extension is registered; also sets the SHUTDOWN
   * event's `deadlineMs`. Default 500 (the platform's budget with an internal extension only).
   */
  readonly budgetMs?: number;
  /** `shutdownReason` of the SHUTDOWN event. Default `spindown`. */
  readonly reason?: string;
}

/** How {@link RuntimeApiEmulator.shutdown} ended the runtime process. */
export interface ShutdownResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When SIGTERM was sent (ms since epoch); `undefined` when the runtime got SIGKILL at once. */
  readonly sigtermAt: number | undefined;
  /** When the process exit was seen (ms since epoch); `undefined` if no runtime was ever spawned. */
  readonly exitedAt: number | undefined;
}

/** What the supervisor needs from the emulator. */
export interface RuntimeSupervisorOptions {
  /** The runtime process environment, given the extra variables (see {@link RuntimeApiEmulator.environment}). */
  readonly environment: (extra: Readonly<Record<string, string | undefined>>) => Record<string, string>;
  readonly logger: Logger;
  /** Every spawned runtime has exited; `runtime` is the one that exited last. */
  readonly onAllExited: (runtime: SpawnedRuntime) => void;
}

/**
 * The runtime processes of the execution environment: starts them with the function's
 * environment, notices when the last one is gone, and ends them the platform's way (SHUTDOWN
 * signalling) or the emulator's (close).
 */
export class RuntimeSupervisor {
  /** Every runtime process, supervised or not. */
  readonly #runtimes = new Set<SpawnedRuntime>();
  /** The processes of {@link RuntimeApiEmulator.spawn}: only their exits end invocations here. */
  readonly #unsupervised = new Set<SpawnedRuntime>();
  readonly #options: RuntimeSupervisorOptions;
  #closing = false;

  constructor(options: RuntimeSupervisorOptions) {
    this.#options = options;
  }

  /** Runtime processes started with {@link spawn}, oldest first. */
  get runtimes(): readonly SpawnedRuntime[] {
    return [...this.#runtimes];
  }

  /**
   * See {@link RuntimeApiEmulator.spawn}. A `supervised` process (supervised mode) streams its
   * output instead of keeping it, and its exit is left to whoever supervises it.
   */
  spawn(options: SpawnRuntimeOptions, supervised = false): SpawnedRuntime {
    const command = options.command.includes('/') ? resolve(options.command) : options.command;
    const cwd = options.cwd ?? (command.includes('/') ? dirname(command) : process.cwd());
    const runtime = new SpawnedRuntime(
      {
        ...options,
        command,
        cwd,
        environment: this.#options.environment({ LAMBDA_TASK_ROOT: cwd, ...options.env }),
        keepOutput: !supervised,
        mergeOutput: supervised,
      },
      (exit, exitedRuntime) => this.#onExit(exit, exitedRuntime),
    );
    this.#runtimes.add(runtime);
    if (!supervised) this.#unsupervised.add(runtime);
    // A supervised mode runtime is replaced many times over a session: forget it once it is gone.
    if (supervised) void runtime.exited.then(() => this.#runtimes.delete(runtime));
    return runtime;
  }

  /** The last runtime if every spawned runtime has exited; `undefined` if one runs or none was spawned. */
  exitedRuntime(): SpawnedRuntime | undefined {
    let last: SpawnedRuntime | undefined;
    for (const runtime of this.#unsupervised) {
      if (runtime.exit === undefined) return undefined;
      last = runtime;
    }
    return last;
  }

  /**
   * Ends the running runtimes as the platform does at shutdown: `graceful` (an extension is
   * registered) sends SIGTERM to each process group and SIGKILL after `budgetMs`; otherwise SIGKILL
   * at once. Resolves when they have exited, with the exit of the most recently spawned one.
   */
  async stop(graceful: boolean, budgetMs: number): Promise<ShutdownResult> {
    const spawned = [...this.#runtimes];
    const running = spawned.filter((runtime) => runtime.exit === undefined);
    const target = running.at(-1) ?? spawned.at(-1);
    let sigtermAt: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    if (running.length > 0 && graceful) {
      sigtermAt = Date.now();
      for (const runtime of running) runtime.signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        for (const runtime of running) runtime.signalGroup('SIGKILL');
      }, budgetMs);
    } else {
      for (const runtime of running) runtime.signalGroup('SIGKILL');
    }
    try {
      await Promise.all(running.map((runtime) => runtime.exited));
    } finally {
      clearTimeout(killTimer);
    }
    return {
      code: target?.exit?.code ?? null,
      signal: target?.exit?.signal ?? null,
      sigtermAt,
      exitedAt: target?.exitedAt,
    };
  }

  /** Terminates every runtime (SIGTERM, SIGKILL after 2 s); their exits no longer end invocations. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#runtimes].map((runtime) => runtime.terminate()));
  }

  #onExit(exit: RuntimeExit, runtime: SpawnedRuntime): void {
    this.#options.logger.debug({ pid: runtime.pid, ...exit }, 'runtime process exited');
    if (this.#closing || !this.#unsupervised.has(runtime) || this.exitedRuntime() === undefined) return;
    this.#options.onAllExited(runtime);
  }
}
