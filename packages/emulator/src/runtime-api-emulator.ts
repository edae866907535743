import type { Server } from 'node:http';
import { EmulatedFunction } from './emulated-function.js';
import { EmulatorClosedError } from './emulator-closed-error.js';
import {
  type EmulatorOptions,
  type ResolvedEmulatorOptions,
  resolveEmulatorOptions,
} from './emulator-options.js';
import { EmulatorRouter } from './emulator-router.js';
import { EmulatorServer } from './emulator-server.js';
import { ExtensionRegistry, type RegisteredExtension } from './extension-registry.js';
import { ExtensionsApiRoutes, invokeEvent } from './extensions-api-routes.js';
import { type FailableEndpoint, FaultInjector } from './fault-injector.js';
import { type InitErrorReport, InvocationDispatcher } from './invocation-dispatcher.js';
import { FRONT_DOOR_PATH, InvokeFrontDoor } from './invoke-front-door.js';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import { type RecordedRequest, RequestLog } from './request-log.js';
import { RuntimeApiRoutes } from './runtime-api-routes.js';
import { RuntimeSupervisor, type ShutdownOptions, type ShutdownResult } from './runtime-supervisor.js';
import type { SpawnedRuntime, SpawnRuntimeOptions } from './spawned-runtime.js';
import type { TooManyRequestsError } from './too-many-requests-error.js';

const DEFAULT_SHUTDOWN_BUDGET_MS = 500;
/** The LMI emulator's grace between SIGTERM and SIGKILL (docs/runtime-api.md §6.5). */
const LMI_SHUTDOWN_BUDGET_MS = 600;

/**
 * A local AWS Lambda Runtime API (docs/runtime-api.md §2.1) plus the RIE-compatible invoke endpoint,
 * on one `node:http` server. Tests drive it with {@link invoke} and inspect {@link requests}; the
 * runtime under test talks to it through `AWS_LAMBDA_RUNTIME_API` ({@link environment}).
 *
 * This class is the composition root and the test API; the work is done by its parts (see the
 * README's "How it is built").
 *
 * @example
 * ```ts
 * const emulator = await RuntimeApiEmulator.start({ functionName: 'orders' });
 * try {
 *   const runtime = emulator.spawn({ command: '/path/to/bootstrap' });
 *   const result = await emulator.invoke({ orderId: 42 });
 *   expect(result.status).toBe('success');
 *   expect(result.json()).toEqual({ ok: true });
 *   expect(emulator.maxConcurrentNext).toBe(1);
 * } finally {
 *   await emulator.close();
 * }
 * ```
 */
export class RuntimeApiEmulator {
  readonly #server: EmulatorServer;
  readonly #function: EmulatedFunction;
  readonly #log = new RequestLog();
  readonly #faults = new FaultInjector();
  readonly #extensions = new ExtensionRegistry();
  readonly #dispatcher: InvocationDispatcher;
  readonly #supervisor: RuntimeSupervisor;
  readonly #runtimeRoutes: RuntimeApiRoutes;
  #closing: Promise<void> | undefined;

  /**
   * Starts a server and resolves once it listens.
   *
   * @example
   * ```ts
   * const emulator = await RuntimeApiEmulator.start({ port: 9001 });
   * ```
   */
  static async start(options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
    const settings = resolveEmulatorOptions(options);
    const emulator = new RuntimeApiEmulator(settings);
    await emulator.#server.listen(settings.port, settings.host);
    return emulator;
  }

  private constructor(settings: ResolvedEmulatorOptions) {
    const { logger } = settings;
    this.#function = new EmulatedFunction(settings, () => this.runtimeApi);
    this.#supervisor = new RuntimeSupervisor({
      environment: (extra) => this.#function.environment(extra),
      logger,
      onAllExited: (runtime) => this.#dispatcher.runtimeExited(runtime),
    });
    this.#dispatcher = new InvocationDispatcher({
      exitedRuntime: () => this.#supervisor.exitedRuntime(),
      maxConcurrency: settings.maxConcurrency,
      maxQueuedInvocations: settings.maxQueuedInvocations,
    });
    const parts = { dispatcher: this.#dispatcher, faults: this.#faults, function: this.#function };
    this.#runtimeRoutes = new RuntimeApiRoutes({
      ...parts,
      logger,
      onDelivered: (delivery) => this.#extensions.broadcast(invokeEvent(delivery)),
    });
    const extensionsApi = new ExtensionsApiRoutes({ ...parts, registry: this.#extensions });
    const frontDoor = new InvokeFrontDoor({
      invoke: (event, invokeOptions) => this.invoke(event, invokeOptions),
      functionVersion: settings.functionVersion,
      timeoutSeconds: settings.timeoutSeconds,
    });
    const router = new EmulatorRouter({
      log: this.#log,
      logger,
      routes: [...this.#runtimeRoutes.routes, ...extensionsApi.routes],
      frontDoors: new Map([[FRONT_DOOR_PATH, (request, response) => frontDoor.handle(request, response)]]),
    });
    this.#server = new EmulatorServer((request, response) => router.handle(request, response));
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get runtimeApi(): string {
    return this.#server.runtimeApi;
  }

  /** `http://host:port`. */
  get origin(): string {
    return `http://${this.runtimeApi}`;
  }

  /** The port the server listens on. */
  get port(): number {
    return this.#server.port;
  }

  /** The unqualified ARN delivered as `Lambda-Runtime-Invoked-Function-Arn` by default. */
  get functionArn(): string {
    return this.#function.functionArn;
  }

  /** The underlying server (to inspect its settings; do not close it directly). */
  get server(): Server {
    return this.#server.server;
  }

  /** Every request the runtime made, in arrival order (invoke front-door calls are not included). */
  get requests(): readonly RecordedRequest[] {
    return this.#log.records;
  }

  /** The highest number of `GET /next` requests that were open at the same time. */
  get maxConcurrentNext(): number {
    return this.#runtimeRoutes.maxConcurrentNext;
  }

  /** How many `GET /next` requests are open (parked) right now. */
  get pendingNext(): number {
    return this.#runtimeRoutes.pendingNext;
  }

  /** How many invocations are delivered to the runtime and not yet answered right now. */
  get inFlight(): number {
    return this.#dispatcher.machine.inFlightCount;
  }

  /**
   * The highest number of invocations that were in flight at the same time: 1 at most in the
   * classic mode, up to `maxConcurrency` in Managed Instances mode.
   *
   * @example
   * ```ts
   * const emulator = await RuntimeApiEmulator.start({ maxConcurrency: 4 });
   * // ... a runtime answers eight invocations ...
   * expect(emulator.maxInFlight).toBe(4);
   * ```
   */
  get maxInFlight(): number {
    return this.#dispatcher.machine.maxInFlight;
  }

  /** How many invocations wait for a `/next` right now. */
  get queuedInvocations(): number {
    return this.#dispatcher.machine.queued.length;
  }

  /** `maxConcurrency` in Managed Instances mode, else `undefined` (the classic mode). */
  get maxConcurrency(): number | undefined {
    return this.#function.settings.maxConcurrency;
  }

  /** The accepted `/init/error`, if the runtime posted one. */
  get initError(): InitErrorReport | undefined {
    return this.#dispatcher.initError;
  }

  /**
   * Every extension registered through `POST /2020-01-01/extension/register`, in registration
   * order (snapshots: read the property again to see later changes).
   *
   * @example
   * ```ts
   * await emulator.waitForRequest((r) => r.endpoint === 'extension-next');
   * expect(emulator.extensions).toMatchObject([{ name: 'my-ext', events: [], parkedNext: true }]);
   * ```
   */
  get extensions(): readonly RegisteredExtension[] {
    return this.#extensions.extensions;
  }

  /** Runtime processes started with {@link spawn}. */
  get runtimes(): readonly SpawnedRuntime[] {
    return this.#supervisor.runtimes;
  }

  /**
   * The environment of a runtime process (docs/runtime-api.md §4): reserved variables, fake
   * credentials, `PATH`/`HOME` from this process and nothing else from it. `extra` entries win;
   * an `undefined` value removes the variable.
   *
   * @example
   * ```ts
   * spawn('node', ['bootstrap.js'], { env: emulator.environment({ _HANDLER: 'index.handler' }) });
   * ```
   */
  environment(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
    return this.#function.environment(extra);
  }

  /**
   * Starts a runtime process with {@link environment} (`LAMBDA_TASK_ROOT` = its working
   * directory). If it exits while invocations are pending they end with `Runtime.ExitError`.
   *
   * @example
   * ```ts
   * const runtime = emulator.spawn({ command: '/abs/path/bootstrap', env: { _HANDLER: 'index.handler' } });
   * ```
   */
  spawn(options: SpawnRuntimeOptions): SpawnedRuntime {
    if (this.#closing !== undefined)
      throw new EmulatorClosedError('Cannot spawn a runtime: the emulator is closed');
    return this.#supervisor.spawn(options);
  }

  /**
   * Queues an invocation; it is delivered to the runtime's parked `GET /next` when every earlier
   * one has been answered (in Managed Instances mode, when one of the `maxConcurrency` slots is
   * free). Resolves on the runtime's `/response` or `/error` for its id, on an `/init/error`, or
   * with `Runtime.ExitError` when the spawned runtime exits first; rejects with
   * {@link TooManyRequestsError} at once when `maxQueuedInvocations` already wait, with
   * {@link InvokeTimeoutError} after `timeoutMs` (Managed Instances: also at its deadline, the
   * runtime going on) and with {@link EmulatorClosedError} on close.
   * By then a spawned runtime's output written before its answer is in `stdout`/`stderr`.
   *
   * @example
   * ```ts
   * const result = await emulator.invoke({ id: 1 }, { tenantId: 'acme', timeoutMs: 5_000 });
   * ```
   */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.#closing !== undefined) {
      return Promise.reject(new EmulatorClosedError('Cannot invoke: the emulator is closed'));
    }
    return this.#dispatcher.invoke(event, options);
  }

  /**
   * Resolves with the first processed request (answered, or parked for `/next`) that matches,
   * including requests that arrived before the call; rejects after `timeoutMs`.
   *
   * @example
   * ```ts
   * const parked = await emulator.waitForRequest((r) => r.endpoint === 'next');
   * ```
   */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs = 10_000,
  ): Promise<RecordedRequest> {
    return this.#log.waitFor(predicate, timeoutMs);
  }

  /**
   * Resolves once at least `count` `GET /next` requests are parked at the same time (at once if
   * they are already); rejects after `timeoutMs` and on {@link close}. With {@link maxConcurrentNext}
   * it shows how many long polls a runtime keeps open, without timing anything.
   *
   * @example
   * ```ts
   * const emulator = await RuntimeApiEmulator.start({ maxConcurrency: 4 });
   * emulator.spawn({ command: bootstrap });
   * await emulator.waitForPendingNext(4);
   * expect(emulator.maxConcurrentNext).toBe(4);
   * ```
   */
  waitForPendingNext(count: number, timeoutMs = 10_000): Promise<void> {
    return this.#runtimeRoutes.whenPendingNext(count, timeoutMs);
  }

  /**
   * Makes the next request to `endpoint` fail with `status` (any 4xx or 5xx) and a JSON
   * `{errorType, errorMessage}` body (or `body`: a string or bytes are sent as they are, anything
   * else as JSON). Calls queue up. Applies to requests that arrive after the call (a `/next`
   * already parked is not affected). The request changes no state: an answer that gets the
   * injected status is not recorded, and a failed `/next` neither ends Init nor takes an invocation.
   *
   * @example
   * ```ts
   * emulator.failNext('response'); // the runtime's next /response gets 500: it must exit
   * emulator.failNext('next', 503); // the next /next gets 503
   * ```
   */
  failNext(endpoint: FailableEndpoint, status = 500, body?: unknown): void {
    this.#faults.failNext(endpoint, status, body);
  }

  /**
   * The next `GET /runtime/invocation/next` that arrives gets its connection reset (TCP RST, no
   * response). Calls add up; a `/next` already parked is not affected. The reset `/next` is recorded
   * with `status: undefined`, changes no state and takes no invocation.
   *
   * @example
   * ```ts
   * emulator.resetNext();
   * emulator.spawn({ command: bootstrap }); // its first /next sees ECONNRESET, the retry works
   * ```
   */
  resetNext(): void {
    this.#faults.resetNext();
  }

  /**
   * The next time an invocation is delivered to a `/next`, the answer is written only `ms` later,
   * even though the invocation is ready (a long poll that ends after a long wait). Calls queue up,
   * one per delivery. The `Lambda-Runtime-Deadline-Ms` header and the extensions' INVOKE events
   * are produced when the answer is written. If the `/next` goes away meanwhile, the invocation
   * goes back to the front of the queue.
   *
   * @example
   * ```ts
   * emulator.delayNext(2_000);
   * const result = await emulator.invoke({}); // the runtime's /next answers after 2 s
   * ```
   */
  delayNext(ms: number): void {
    this.#faults.delayNext(ms);
  }

  /**
   * Stops accepting connections: later connects get ECONNREFUSED and every open connection
   * (parked `/next`, keep-alive sockets, extension long polls) is destroyed. Invocations keep
   * their state: a queued invocation is delivered after {@link resumeListening}. Resolves once the
   * listener is closed.
   *
   * @example
   * ```ts
   * await emulator.stopListening();
   * // ... the runtime sees ECONNRESET, then ECONNREFUSED ...
   * await emulator.resumeListening();
   * ```
   */
  async stopListening(): Promise<void> {
    await this.#server.stopListening();
  }

  /**
   * Listens again on the same host and port after {@link stopListening}; no-op when listening.
   * Rejects if the port was taken meanwhile or the emulator is closed.
   */
  async resumeListening(): Promise<void> {
    if (this.#closing !== undefined) {
      throw new EmulatorClosedError('Cannot resume listening: the emulator is closed');
    }
    await this.#server.resumeListening();
  }

  /**
   * Shuts the execution environment down as the platform does (docs/runtime-api.md §6.1 step 11):
   * sends `SHUTDOWN` (with `deadlineMs` = now + budget) to every extension subscribed to it; then,
   * if any extension registered, SIGTERM to every running spawned runtime (its process group) and
   * SIGKILL when `budgetMs` runs out; with no extension registered, SIGKILL at once. In Managed
   * Instances mode the runtime always gets SIGTERM first, and `budgetMs` defaults to 600 (§6.5). Resolves when
   * the runtime processes have exited, with the exit of the most recently spawned one. The server
   * stays up; call {@link close} afterwards.
   *
   * @example
   * ```ts
   * const runtime = emulator.spawn({ command: bootstrap });
   * await emulator.invoke({});
   * const { signal, sigtermAt, exitedAt } = await emulator.shutdown({ budgetMs: 300 });
   * ```
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownResult> {
    const managedInstances = this.#dispatcher.managedInstances;
    const defaultBudgetMs = managedInstances ? LMI_SHUTDOWN_BUDGET_MS : DEFAULT_SHUTDOWN_BUDGET_MS;
    const budgetMs = Math.max(0, options.budgetMs ?? defaultBudgetMs);
    // A Managed Instances runtime always gets SIGTERM first, to let its invocations in flight finish.
    const graceful = this.#extensions.size > 0 || managedInstances;
    this.#extensions.broadcast({
      eventType: 'SHUTDOWN',
      shutdownReason: options.reason ?? 'spindown',
      deadlineMs: Date.now() + (graceful ? budgetMs : 0),
    });
    return this.#supervisor.stop(graceful, budgetMs);
  }

  /**
   * Rejects pending invocations and waiters, stops spawned runtimes (SIGTERM, SIGKILL after 2 s)
   * and closes the server with all its connections. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#dispatcher.close(
      new EmulatorClosedError('The emulator was closed before the invocation was answered'),
    );
    this.#log.close(new EmulatorClosedError('The emulator was closed before a matching request arrived'));
    this.#runtimeRoutes.closeWaiters(
      new EmulatorClosedError('The emulator was closed before enough GET /next requests were open'),
    );
    this.#extensions.close();
    await this.#supervisor.close();
    await this.#server.close();
  }
}
