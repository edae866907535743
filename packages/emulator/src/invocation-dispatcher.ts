import { randomUUID } from 'node:crypto';
import type { ErrorDocument } from '@lambda-runtime/api';
import { exitOutcome } from './invocation-outcomes.js';
import { InvocationStateMachine, type TrackedInvocation } from './invocation-state-machine.js';
import type { InvokeOptions } from './invoke-options.js';
import { EmulatorInvokeResult, type InvokeOutcome, type InvokeResult } from './invoke-result.js';
import { InvokeTimeoutError } from './invoke-timeout-error.js';
import type { SpawnedRuntime } from './spawned-runtime.js';
import { TooManyRequestsError } from './too-many-requests-error.js';

/** The `/init/error` the runtime posted: its body plus the `Lambda-Runtime-Function-Error-Type` header. */
export type InitErrorReport = ErrorDocument & { readonly errorTypeHeader: string | undefined };

/** An invocation as the emulator keeps it: the event bytes and the caller's options. */
export interface EmulatedInvocation extends TrackedInvocation {
  readonly body: Buffer;
  readonly options: InvokeOptions;
  /**
   * Managed Instances: the caller gets the timeout error at `deadlineMs` (epoch ms) unless the
   * runtime answers first; the runtime is not stopped. Set when the invocation is delivered.
   */
  expireAt(deadlineMs: number): void;
}

/** An invocation being written to a `/next`, with the values its headers and INVOKE event share. */
export interface InvocationDelivery {
  readonly invocation: EmulatedInvocation;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
}

/** What the dispatcher asks of the process supervision. */
export interface InvocationDispatcherOptions {
  /** The last spawned runtime when every spawned runtime has exited; `undefined` otherwise. */
  readonly exitedRuntime: () => SpawnedRuntime | undefined;
  /** Managed Instances mode: N invocations in flight, each ending at its deadline. Default: classic mode. */
  readonly maxConcurrency?: number | undefined;
  /** Invocations that may wait for a slot; beyond it `invoke` rejects ({@link TooManyRequestsError}). */
  readonly maxQueuedInvocations: number;
}

const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;

/**
 * The one owner of the emulator's invocation state: the {@link InvocationStateMachine} (queue and
 * its bound, parked `/next` calls, the invocations in flight, answered ids), the Init phase (extension
 * registration, the accepted `/init/error`) and the callers' promises with their timeouts. Routes
 * and the runtime supervisor act on this object; none keeps invocation state of its own.
 */
export class InvocationDispatcher {
  /** The lifecycle the Runtime API routes drive (`/next`, answers, `/init/error`). */
  readonly machine: InvocationStateMachine<EmulatedInvocation>;
  readonly #exitedRuntime: () => SpawnedRuntime | undefined;
  readonly #managedInstances: boolean;
  readonly #maxConcurrency: number;
  readonly #maxQueued: number;
  /** Extensions may register until the runtime's first `GET /next` arrives. */
  #registrationOpen = true;
  #initError: InitErrorReport | undefined;

  constructor(options: InvocationDispatcherOptions) {
    this.#exitedRuntime = options.exitedRuntime;
    this.#managedInstances = options.maxConcurrency !== undefined;
    this.#maxConcurrency = options.maxConcurrency ?? 1;
    this.#maxQueued = options.maxQueuedInvocations;
    this.machine = new InvocationStateMachine<EmulatedInvocation>({
      maxConcurrency: this.#maxConcurrency,
      maxQueued: this.#maxQueued,
    });
  }

  get registrationOpen(): boolean {
    return this.#registrationOpen;
  }

  /** True in Managed Instances mode (`maxConcurrency` set). */
  get managedInstances(): boolean {
    return this.#managedInstances;
  }

  /** The accepted `/init/error`, if the runtime posted one. */
  get initError(): InitErrorReport | undefined {
    return this.#initError;
  }

  /** See {@link RuntimeApiEmulator.invoke}. */
  invoke(event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const requestId = options.requestId ?? randomUUID();
    const body = eventBytes(event, options.rawBody);
    const timeoutMs = options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
    return new Promise<InvokeResult>((resolveResult, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let deadlineTimer: NodeJS.Timeout | undefined;
      const invocation: EmulatedInvocation = {
        requestId,
        body,
        options,
        expireAt: (deadlineMs) => {
          if (!this.#managedInstances) return;
          clearTimeout(deadlineTimer);
          const budgetMs = Math.max(0, deadlineMs - Date.now());
          deadlineTimer = setTimeout(() => {
            // Managed Instances never kill the runtime at a deadline (docs/runtime-api.md §6.5):
            // the caller gets the timeout, and a late answer for the id gets 410.
            this.machine.abandon(invocation);
            invocation.fail(new InvokeTimeoutError(requestId, budgetMs));
          }, budgetMs);
        },
        settle: (outcome) => {
          clearTimeout(timer);
          clearTimeout(deadlineTimer);
          // One turn later: whatever a spawned runtime wrote to stdout/stderr before answering was
          // readable in the same poll as the answer, so it has been read by then. Resolving at
          // once would race the answer's socket against the output pipe.
          setImmediate(() => resolveResult(new EmulatorInvokeResult(requestId, outcome)));
        },
        fail: (error) => {
          clearTimeout(timer);
          clearTimeout(deadlineTimer);
          reject(error);
        },
      };
      timer = setTimeout(() => {
        this.machine.abandon(invocation);
        invocation.fail(new InvokeTimeoutError(requestId, timeoutMs));
      }, timeoutMs);
      const deadRuntime = this.machine.initFailed ? undefined : this.#exitedRuntime();
      if (deadRuntime !== undefined) {
        invocation.settle(exitOutcome(requestId, deadRuntime));
        return;
      }
      if (this.machine.enqueue(invocation) === 'throttled') {
        invocation.fail(new TooManyRequestsError(requestId, this.#maxConcurrency, this.#maxQueued));
      }
    });
  }

  /** The runtime's first `/next` arrived: no more extension registrations. */
  closeRegistration(): void {
    this.#registrationOpen = false;
  }

  /** An `/init/error` arrived: `false` (403) once Init is over or after an earlier report. */
  failInit(outcome: InvokeOutcome, report: InitErrorReport): boolean {
    if (!this.machine.initError(outcome)) return false;
    this.#initError = report;
    return true;
  }

  /** Every spawned runtime is gone: pending invocations end as `runtime`'s exit error. */
  runtimeExited(runtime: SpawnedRuntime): void {
    this.machine.runtimeExited((requestId) => exitOutcome(requestId, runtime));
  }

  /** Rejects every pending invocation with `error`. */
  close(error: Error): void {
    this.machine.close(error);
  }
}

function eventBytes(event: unknown, rawBody: Uint8Array | string | undefined): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody !== undefined) return Buffer.from(rawBody);
  return Buffer.from(JSON.stringify(event) ?? 'null', 'utf8');
}
