import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@lambda-runtime/api';
import { EmulatorClosedError } from './emulator-closed-error.js';
import type { SupervisedRuntimeOptions } from './emulator-options.js';
import type {
  EmulatedInvocation,
  InitErrorReport,
  InvocationDelivery,
  InvocationDispatcher,
} from './invocation-dispatcher.js';
import { exitOutcome, timeoutOutcome } from './invocation-outcomes.js';
import type { InvocationReporter } from './invocation-reporter.js';
import type { InvocationStateMachine } from './invocation-state-machine.js';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import type { MemoryProbe } from './memory-probe.js';
import type { RuntimeSupervisor } from './runtime-supervisor.js';
import type { RuntimeExit, SpawnedRuntime } from './spawned-runtime.js';

/** What an {@link ExecutionEnvironment} works with. */
export interface ExecutionEnvironmentOptions {
  readonly runtime: SupervisedRuntimeOptions;
  readonly supervisor: RuntimeSupervisor;
  readonly dispatcher: InvocationDispatcher;
  readonly reporter: InvocationReporter;
  readonly memory: MemoryProbe;
  readonly timeoutSeconds: number;
  readonly initTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly logger: Logger;
}

/** One runtime process and its Init. */
interface Generation {
  readonly runtime: SpawnedRuntime;
  /** The lifecycle its requests drive (each process gets a fresh one). */
  readonly machine: InvocationStateMachine<EmulatedInvocation>;
  readonly startedAt: number;
  /** `init`: an Init phase of its own (time-limited); `invoke`: a suppressed init inside an invoke. */
  readonly phase: 'init' | 'invoke';
  state: 'initialising' | 'ready' | 'dead';
  initDurationMs: number | undefined;
  /** The next delivered invocation is this process's first: its REPORT carries the Init Duration. */
  coldStart: boolean;
  initTimer: NodeJS.Timeout | undefined;
}

/** An invocation whose invoke phase has begun. */
interface Tracked {
  readonly invocation: EmulatedInvocation;
  readonly generation: Generation;
  readonly startedAt: number;
  readonly initDurationMs: number | undefined;
  /** The kill at the function timeout (none in Managed Instances mode, which never kills). */
  readonly timer: NodeJS.Timeout | undefined;
  delivered: boolean;
}

/** Grace for a runtime to exit by itself after its accepted `/init/error`. */
const INIT_ERROR_EXIT_GRACE_MS = 1_000;

/**
 * Supervised mode: the Lambda execution environment around one runtime command. It starts the
 * runtime, times its Init (abandoned after `initTimeoutMs` and re-run inside the first invoke,
 * as Lambda's suppressed init), kills its process group at the function timeout (not in Managed
 * Instances mode, where only the caller's wait ends), replaces it
 * after an init failure, a crash or a timeout (the next invoke starts a new process), restarts it
 * on request once the invocation in flight is done, and reports every invocation through the
 * {@link InvocationReporter}. It joins the {@link InvocationDispatcher} (invocation state, one
 * machine per process) to the {@link RuntimeSupervisor} (processes).
 */
export class ExecutionEnvironment {
  readonly #options: ExecutionEnvironmentOptions;
  readonly #dispatcher: InvocationDispatcher;
  readonly #reporter: InvocationReporter;
  readonly #tracked = new Map<string, Tracked>();
  readonly #arrivals = new Map<string, number>();
  #idleWaiters: (() => void)[] = [];
  #current: Generation | undefined;
  #spawning = false;
  /** The last Init timed out: the next process initialises inside its first invoke. */
  #suppressedInitPending = false;
  #restarting: Promise<void> | undefined;
  #inRestart = false;
  #closed = false;

  constructor(options: ExecutionEnvironmentOptions) {
    this.#options = options;
    this.#dispatcher = options.dispatcher;
    this.#reporter = options.reporter;
  }

  /** The running runtime process, if any. */
  get runtime(): SpawnedRuntime | undefined {
    const current = this.#current;
    return current === undefined || current.state === 'dead' ? undefined : current.runtime;
  }

  /** Starts the first runtime process (its Init runs before any invoke, as in a warm pool). */
  start(): void {
    this.#spawn('init');
  }

  /** See {@link RuntimeApiEmulator.invoke}; waits while a restart is under way. */
  async invoke(event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    while (this.#restarting !== undefined) await this.#restarting;
    if (this.#closed) throw new EmulatorClosedError('Cannot invoke: the emulator is closed');
    const requestId = options.requestId ?? randomUUID();
    this.#arrivals.set(requestId, performance.now());
    const result = this.#dispatcher.invoke(event, { ...options, requestId });
    this.#ensureRuntime();
    return result;
  }

  /** See {@link RuntimeApiEmulator.restartRuntime}. */
  restart(): Promise<void> {
    if (this.#closed)
      return Promise.reject(new EmulatorClosedError('Cannot restart: the emulator is closed'));
    this.#restarting ??= this.#restart().finally(() => {
      this.#restarting = undefined;
    });
    return this.#restarting;
  }

  /** The current runtime's first `/next` arrived. */
  initDone(): void {
    const generation = this.#current;
    if (generation === undefined || generation.state !== 'initialising') return;
    clearTimeout(generation.initTimer);
    generation.state = 'ready';
    generation.initDurationMs = performance.now() - generation.startedAt;
  }

  /** The current runtime posted an accepted `/init/error` (the invocations waiting got it already). */
  initFailed(report: InitErrorReport): void {
    const generation = this.#current;
    if (generation === undefined || generation.state !== 'initialising') return;
    this.#retire(generation);
    if (generation.phase === 'init') {
      this.#reporter.initReport({
        durationMs: performance.now() - generation.startedAt,
        status: 'error',
        errorType: report.errorTypeHeader ?? report.errorType,
      });
    }
    // The runtime is expected to exit after reporting; Lambda resets the environment regardless.
    const killTimer = setTimeout(() => generation.runtime.signalGroup('SIGKILL'), INIT_ERROR_EXIT_GRACE_MS);
    void generation.runtime.exited.then(() => clearTimeout(killTimer));
    this.#dispatcher.renew();
  }

  /** An invocation was written to the runtime's `/next`. */
  delivered(delivery: InvocationDelivery): void {
    const { invocation } = delivery;
    const tracked = this.#tracked.get(invocation.requestId);
    if (tracked !== undefined) {
      tracked.delivered = true;
      return;
    }
    const generation = this.#current;
    if (generation === undefined) return;
    const initDurationMs = generation.coldStart ? generation.initDurationMs : undefined;
    generation.coldStart = false;
    this.#options.memory.maxMemoryUsedMb(generation.runtime.pid);
    this.#reporter.start(invocation.requestId);
    this.#track(invocation, generation, initDurationMs, true);
  }

  /** An invocation ended with a result: END and REPORT. */
  settled(invocation: EmulatedInvocation, result: InvokeResult): void {
    const { requestId } = invocation;
    const tracked = this.#tracked.get(requestId);
    const now = performance.now();
    const status =
      result.via === 'timeout'
        ? 'timeout'
        : result.via === 'exit' || result.via === 'init-error'
          ? 'error'
          : undefined;
    const errorType = status === 'error' ? result.errorType : undefined;
    if (tracked === undefined) {
      // Ended before its invoke phase began (its Init failed): still one START/END/REPORT per request.
      this.#reporter.start(requestId);
      this.#reporter.end({
        requestId,
        durationMs: now - (this.#arrivals.get(requestId) ?? now),
        maxMemoryUsedMb: this.#options.memory.maxMemoryUsedMb(this.#current?.runtime.pid),
        status,
        errorType,
      });
    } else {
      this.#untrack(tracked);
      this.#reporter.end({
        requestId,
        durationMs: now - tracked.startedAt,
        initDurationMs: tracked.initDurationMs,
        maxMemoryUsedMb: this.#options.memory.maxMemoryUsedMb(tracked.generation.runtime.pid),
        status,
        errorType,
      });
    }
    this.#arrivals.delete(requestId);
  }

  /** An invocation ended without a result (its caller stopped waiting, or the emulator closed). */
  abandoned(invocation: EmulatedInvocation): void {
    const tracked = this.#tracked.get(invocation.requestId);
    if (tracked !== undefined) this.#untrack(tracked);
    this.#arrivals.delete(invocation.requestId);
  }

  /** Stops timing; the processes are ended by the supervisor. */
  close(): void {
    this.#closed = true;
    for (const tracked of this.#tracked.values()) clearTimeout(tracked.timer);
    this.#tracked.clear();
    if (this.#current !== undefined) clearTimeout(this.#current.initTimer);
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  async #restart(): Promise<void> {
    this.#inRestart = true;
    try {
      // Not yet delivered: they run on the new code. Delivered: they finish on the old.
      const held = this.#dispatcher.takeQueued();
      for (const invocation of held) {
        const tracked = this.#tracked.get(invocation.requestId);
        if (tracked !== undefined) this.#untrack(tracked);
      }
      await this.#idle();
      const previous = this.#current;
      if (previous !== undefined) {
        this.#retire(previous);
        await previous.runtime.terminate(this.#options.stopGraceMs);
        this.#options.memory.forget(previous.runtime.pid);
      }
      if (this.#closed) return;
      this.#dispatcher.renew(held);
      this.#suppressedInitPending = false;
      this.#spawn('init');
    } finally {
      this.#inRestart = false;
    }
  }

  /** Starts a process unless one is running or starting; a dead one is waited for first. */
  #ensureRuntime(): void {
    if (this.#closed || this.#inRestart || this.#spawning) return;
    const previous = this.#current;
    if (previous !== undefined && previous.state !== 'dead') return;
    if (previous === undefined) {
      this.#spawn(this.#suppressedInitPending ? 'invoke' : 'init');
      return;
    }
    this.#spawning = true;
    void previous.runtime.exited.then(() => {
      this.#spawning = false;
      this.#options.memory.forget(previous.runtime.pid);
      if (this.#closed || this.#inRestart || this.#current !== previous) return;
      if (this.#dispatcher.machine.queued.length === 0) return;
      this.#spawn(this.#suppressedInitPending ? 'invoke' : 'init');
    });
  }

  #spawn(phase: 'init' | 'invoke'): void {
    const { runtime: command, supervisor, initTimeoutMs } = this.#options;
    const runtime = supervisor.spawn(command, true);
    const generation: Generation = {
      runtime,
      machine: this.#dispatcher.machine,
      startedAt: performance.now(),
      phase,
      state: 'initialising',
      initDurationMs: undefined,
      coldStart: phase === 'init',
      initTimer: undefined,
    };
    this.#current = generation;
    runtime.process.stdout?.on('data', (text: string) => this.#reporter.runtimeOutput(text));
    runtime.process.stderr?.on('data', (text: string) => this.#reporter.runtimeOutput(text));
    void runtime.exited.then((exit) => this.#exited(generation, exit));
    if (phase === 'init') {
      generation.initTimer = setTimeout(() => this.#initTimedOut(generation), initTimeoutMs);
      return;
    }
    // A suppressed init: it belongs to the first waiting invoke, whose timeout covers it.
    this.#suppressedInitPending = false;
    const owner = this.#dispatcher.machine.queued[0];
    if (owner === undefined) return;
    owner.options = {
      ...owner.options,
      deadlineMs: Date.now() + this.#options.timeoutSeconds * 1000,
    };
    this.#reporter.start(owner.requestId);
    this.#track(owner, generation, undefined, false);
  }

  #initTimedOut(generation: Generation): void {
    if (generation.state !== 'initialising' || this.#closed) return;
    this.#retire(generation);
    this.#reporter.initReport({ durationMs: performance.now() - generation.startedAt, status: 'timeout' });
    generation.runtime.signalGroup('SIGKILL');
    this.#suppressedInitPending = true;
    this.#dispatcher.renew();
    this.#ensureRuntime();
  }

  #timedOut(tracked: Tracked): void {
    if (this.#closed) return;
    const { generation, invocation } = tracked;
    this.#options.memory.maxMemoryUsedMb(generation.runtime.pid);
    const current = generation === this.#current;
    this.#retire(generation);
    generation.runtime.signalGroup('SIGKILL');
    this.#reporter.timedOut(invocation.requestId, this.#options.timeoutSeconds);
    const carried = current ? this.#dispatcher.takeQueued() : [];
    generation.machine.abandon(invocation);
    invocation.settle(timeoutOutcome(invocation.requestId, this.#options.timeoutSeconds));
    if (!current) return;
    this.#dispatcher.renew(carried);
    this.#ensureRuntime();
  }

  /** A process exited; if nobody ended it on purpose, what it was doing fails. */
  #exited(generation: Generation, exit: RuntimeExit): void {
    // Lambda resets the whole environment when its runtime is gone: nothing the runtime started
    // outlives it (a child that ignored the SIGTERM of a restart, a daemon left by a crash).
    generation.runtime.signalGroup('SIGKILL');
    if (this.#closed) return;
    if (generation.state === 'dead') {
      this.#strayDelivery(generation);
      return;
    }
    const duringInit = generation.state === 'initialising';
    this.#retire(generation);
    const outcome = (requestId: string) => exitOutcome(requestId, generation.runtime);
    const description =
      generation.runtime.spawnError !== undefined
        ? `could not be started (${generation.runtime.spawnError.message})`
        : exit.code !== null
          ? `exited with code ${exit.code}`
          : `was killed by ${exit.signal ?? 'a signal'}`;
    const current = generation === this.#current;
    const waiting = current ? this.#dispatcher.takeQueued() : [];
    if (duringInit) {
      if (generation.phase === 'init') {
        this.#reporter.initReport({
          durationMs: performance.now() - generation.startedAt,
          status: 'error',
          errorType: outcome('').errorTypeHeader,
        });
      }
      // The invokes that waited for this Init get its failure, as Lambda's caller does.
      for (const invocation of waiting) invocation.settle(outcome(invocation.requestId));
      if (current) this.#dispatcher.renew();
      this.#reporter.notice(`the runtime ${description} during Init; the next invoke starts a new one`);
      return;
    }
    const inFlight = generation.machine.inFlight;
    generation.machine.runtimeExited(outcome);
    if (!current) return;
    this.#dispatcher.renew(waiting);
    if (inFlight === undefined) {
      this.#reporter.notice(`the runtime ${description}; the next invoke starts a new one`);
    }
    if (waiting.length > 0) this.#ensureRuntime();
  }

  /**
   * A retired process that called `/next` again before it was gone (after its `/init/error`) may
   * have been handed an invocation of the fresh machine: that invocation fails with its exit.
   */
  #strayDelivery(generation: Generation): void {
    if (this.#inRestart || generation !== this.#current) return;
    const machine = this.#dispatcher.machine;
    if (machine === generation.machine || machine.inFlight === undefined) return;
    const waiting = this.#dispatcher.takeQueued();
    machine.runtimeExited((requestId) => exitOutcome(requestId, generation.runtime));
    this.#dispatcher.renew(waiting);
    this.#ensureRuntime();
  }

  /** The process no longer serves: its timers stop and its exit is expected. */
  #retire(generation: Generation): void {
    generation.state = 'dead';
    clearTimeout(generation.initTimer);
  }

  #track(
    invocation: EmulatedInvocation,
    generation: Generation,
    initDurationMs: number | undefined,
    delivered: boolean,
  ): void {
    const tracked: Tracked = {
      invocation,
      generation,
      startedAt: performance.now(),
      initDurationMs,
      delivered,
      // Managed Instances end an invocation at its deadline for the caller only (the dispatcher's
      // expireAt); the runtime keeps running.
      timer: this.#dispatcher.managedInstances
        ? undefined
        : setTimeout(() => this.#timedOut(tracked), this.#options.timeoutSeconds * 1000),
    };
    this.#tracked.set(invocation.requestId, tracked);
  }

  #untrack(tracked: Tracked): void {
    clearTimeout(tracked.timer);
    this.#tracked.delete(tracked.invocation.requestId);
    if (![...this.#tracked.values()].some((entry) => entry.delivered)) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** Resolves once no delivered invocation is waiting for its answer. */
  #idle(): Promise<void> {
    if (this.#closed || ![...this.#tracked.values()].some((entry) => entry.delivered))
      return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
