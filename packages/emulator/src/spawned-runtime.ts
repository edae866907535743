import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

/** How a runtime process ended. */
export interface RuntimeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to run as the runtime (its `bootstrap`). */
export interface SpawnRuntimeOptions {
  /** The executable; a relative path is resolved against the current directory. */
  readonly command: string;
  readonly args?: readonly string[];
  /** Working directory; default the command's directory (also `LAMBDA_TASK_ROOT`). */
  readonly cwd?: string;
  /** Extra environment on top of {@link RuntimeApiEmulator.environment}; `undefined` removes. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Grace between SIGTERM and SIGKILL when the emulator closes (the platform allows about 2 s). */
const TERMINATE_GRACE_MS = 2_000;
/** How long to wait for stdout/stderr to close after the process exited (a grandchild may hold them). */
const STDIO_CLOSE_GRACE_MS = 1_000;

/**
 * A runtime process started by {@link RuntimeApiEmulator.spawn}: its output collected as strings,
 * its exit as a promise.
 *
 * @example
 * ```ts
 * const runtime = emulator.spawn({ command: '/path/to/bootstrap' });
 * await emulator.invoke({});
 * runtime.kill('SIGTERM');
 * const { code } = await runtime.waitForExit();
 * console.log(code, runtime.stdout);
 * ```
 */
export class SpawnedRuntime {
  /** The child process. */
  readonly process: ChildProcess;
  /** Resolves when the process has exited and its output is complete. */
  readonly exited: Promise<RuntimeExit>;
  #stdout = '';
  #stderr = '';
  #exit: RuntimeExit | undefined;
  #exitedAt: number | undefined;
  #spawnError: Error | undefined;

  /**
   * Starts the process at once. `onExit` runs as soon as the process is gone (before the output is
   * complete), so pending invocations can fail promptly.
   */
  constructor(
    options: SpawnRuntimeOptions & {
      readonly environment: Record<string, string>;
      /** Keep the output in {@link stdout}/{@link stderr} (default); a long-lived runtime streams it instead. */
      readonly keepOutput?: boolean;
      /**
       * Send stderr into the stdout pipe (the process gets one pipe for both), so that what it
       * writes to either arrives in the order written, as Lambda collects it. `stderr` stays empty.
       */
      readonly mergeOutput?: boolean;
    },
    onExit?: (exit: RuntimeExit, runtime: SpawnedRuntime) => void,
  ) {
    const command = options.command.includes('/') ? resolve(options.command) : options.command;
    const cwd = options.cwd ?? (isAbsolute(command) ? dirname(command) : process.cwd());
    // A process group of its own, so close() can also stop whatever the bootstrap started.
    const args = [...(options.args ?? [])];
    // `exec` keeps the pid (and the process group) the command's own; a command that cannot be
    // found is spawned directly so that its ENOENT/EACCES stays a spawn error.
    const merged =
      options.mergeOutput === true &&
      process.platform !== 'win32' &&
      isExecutable(command, options.environment.PATH ?? '', cwd);
    this.process = merged
      ? spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', command, ...args], {
          cwd,
          env: options.environment,
          stdio: ['ignore', 'pipe', 'ignore'],
          detached: true,
        })
      : spawn(command, args, {
          cwd,
          env: options.environment,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
    this.process.stdout?.setEncoding('utf8');
    this.process.stderr?.setEncoding('utf8');
    if (options.keepOutput !== false) {
      this.process.stdout?.on('data', (text: string) => {
        this.#stdout += text;
      });
      this.process.stderr?.on('data', (text: string) => {
        this.#stderr += text;
      });
    }

    this.exited = new Promise<RuntimeExit>((resolveExit) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const exitOnce = (exit: RuntimeExit): void => {
        if (this.#exit !== undefined) return;
        this.#exit = exit;
        this.#exitedAt = Date.now();
        onExit?.(exit, this);
      };
      this.process.on('exit', (code, signal) => {
        exitOnce({ code, signal });
        graceTimer = setTimeout(() => {
          this.process.stdout?.destroy();
          this.process.stderr?.destroy();
        }, STDIO_CLOSE_GRACE_MS);
        graceTimer.unref();
      });
      this.process.on('close', (code, signal) => {
        clearTimeout(graceTimer);
        exitOnce({ code, signal });
        resolveExit(this.#exit ?? { code, signal });
      });
      this.process.on('error', (error) => {
        // Spawn failures (ENOENT, EACCES) never produce an exit; anything later is a kill() failure.
        if (this.process.pid !== undefined) return;
        this.#spawnError = error;
        exitOnce({ code: null, signal: null });
        resolveExit({ code: null, signal: null });
      });
    });
  }

  /** Process id; `undefined` if the process could not be started. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Everything the process wrote to stdout so far (UTF-8). */
  get stdout(): string {
    return this.#stdout;
  }

  /** Everything the process wrote to stderr so far (UTF-8). */
  get stderr(): string {
    return this.#stderr;
  }

  /** The exit, once the process is gone. */
  get exit(): RuntimeExit | undefined {
    return this.#exit;
  }

  /** When the process exit was seen (ms since epoch), once it is gone. */
  get exitedAt(): number | undefined {
    return this.#exitedAt;
  }

  /** Why the process could not be started (missing or non-executable command), if so. */
  get spawnError(): Error | undefined {
    return this.#spawnError;
  }

  /** Sends a signal to the process (default SIGTERM); no-op once it has exited. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.#exit !== undefined) return;
    this.process.kill(signal);
  }

  /** Resolves with the exit; rejects if the process is still running after `timeoutMs`. */
  waitForExit(timeoutMs = 10_000): Promise<RuntimeExit> {
    return new Promise((resolveExit, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Runtime process ${this.pid} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.exited.then((exit) => {
        clearTimeout(timer);
        resolveExit(exit);
      }, reject);
    });
  }

  /** SIGTERM to the process group, SIGKILL after the grace period; resolves once it has exited. */
  async terminate(graceMs = TERMINATE_GRACE_MS): Promise<RuntimeExit> {
    if (this.#exit === undefined) {
      this.#signalGroup('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stillRunning = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((resolveTimer) => {
          timer = setTimeout(() => resolveTimer(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (stillRunning) this.#signalGroup('SIGKILL');
    } else {
      // The runtime is gone but its children may not be.
      this.#signalGroup('SIGKILL');
    }
    return this.exited;
  }

  /**
   * Sends a signal to the whole process group (the bootstrap and whatever it started), as the
   * platform signals every process of the sandbox; no-op once the group is gone.
   *
   * @example
   * ```ts
   * runtime.signalGroup('SIGTERM');
   * ```
   */
  signalGroup(signal: NodeJS.Signals): void {
    this.#signalGroup(signal);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone (ESRCH); fall back to the process itself in case it is not a leader.
      if (this.#exit === undefined) this.process.kill(signal);
    }
  }
}

/** Whether `command` names an executable file, directly or through `path` (as `exec` finds it). */
function isExecutable(command: string, path: string, cwd: string): boolean {
  const candidates = command.includes('/')
    ? [resolve(cwd, command)]
    : path
        .split(delimiter)
        .filter((folder) => folder !== '')
        .map((folder) => join(resolve(cwd, folder), command));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
