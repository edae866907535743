import { randomUUID } from 'node:crypto';
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
import { ExecutionEnvironment } from './execution-environment.js';
import { ExtensionRegistry, type RegisteredExtension } from './extension-registry.js';
import { ExtensionsApiRoutes, invokeEvent } from './extensions-api-routes.js';
import { type FailableEndpoint, FaultInjector } from './fault-injector.js';
import { FunctionUrlFrontDoor } from './function-url-front-door.js';
import { type InitErrorReport, InvocationDispatcher } from './invocation-dispatcher.js';
import { InvocationReporter } from './invocation-reporter.js';
import { FRONT_DOOR_PATH, InvokeFrontDoor } from './invoke-front-door.js';
import type { InvokeOptions } from './invoke-options.js';
import type { InvokeResult } from './invoke-result.js';
import { InvokeStream } from './invoke-stream.js';
import { MemoryProbe } from './memory-probe.js';
import { NotSupervisedError } from './not-supervised-error.js';
import { type RecordedRequest, RequestLog } from './request-log.js';
import { RESPONSE_STREAM_PATH, ResponseStreamFrontDoor } from './response-stream-front-door.js';
import { RuntimeApiRoutes } from './runtime-api-routes.js';
import { RuntimeSupervisor, type ShutdownOptions, type ShutdownResult } from './runtime-supervisor.js';
import type { SpawnedRuntime, SpawnRuntimeOptions } from './spawned-runtime.js';
import { type StreamedResponseTarget, StreamedResponseTargets } from './streamed-response-target.js';
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
  /** Supervised mode only. */
  readonly #environment: ExecutionEnvironment | undefined;
  readonly #streamTargets = new StreamedResponseTargets();
  /** The function URL listener, when {@link EmulatorOptions.functionUrl} asked for one. */
  readonly #functionUrlServer: EmulatorServer | undefined;
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
    if (settings.functionUrl !== undefined) {
      try {
        await emulator.#functionUrlServer?.listen(settings.functionUrl.port, settings.functionUrl.host);
      } catch (error) {
        await emulator.close();
        throw error;
      }
    }
    emulator.#environment?.start();
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
      supervised: settings.runtime !== undefined,
      onInitDone: () => this.#environment?.initDone(),
      onInitError: (report) => this.#environment?.initFailed(report),
      onSettled: (invocation, result) => this.#environment?.settled(invocation, result),
      onAbandoned: (invocation) => this.#environment?.abandoned(invocation),
    });
    if (settings.runtime !== undefined) {
      this.#environment = new ExecutionEnvironment({
        runtime: settings.runtime,
        supervisor: this.#supervisor,
        dispatcher: this.#dispatcher,
        reporter: new InvocationReporter({
          output: settings.output,
          colour: settings.colour,
          functionVersion: settings.functionVersion,
          memorySizeMb: settings.memorySizeMb,
        }),
        memory: new MemoryProbe(),
        timeoutSeconds: settings.timeoutSeconds,
        initTimeoutMs: settings.initTimeoutMs,
        stopGraceMs: settings.stopGraceMs,
        logger,
      });
    }
    const parts = { dispatcher: this.#dispatcher, faults: this.#faults, function: this.#function };
    this.#runtimeRoutes = new RuntimeApiRoutes({
      ...parts,
      logger,
      onDelivered: (delivery) => {
        this.#extensions.broadcast(invokeEvent(delivery));
        this.#environment?.delivered(delivery);
      },
      streamTargets: this.#streamTargets,
    });
    const extensionsApi = new ExtensionsApiRoutes({ ...parts, registry: this.#extensions });
    const frontDoor = new InvokeFrontDoor({
      invoke: (event, invokeOptions) => this.invoke(event, this.#frontDoorOptions(invokeOptions)),
      functionVersion: settings.functionVersion,
      timeoutSeconds: settings.timeoutSeconds,
    });
    const responseStream = new ResponseStreamFrontDoor({
      invoke: (event, invokeOptions, target) =>
        this.#invokeStreaming(event, this.#frontDoorOptions(invokeOptions), target),
      functionVersion: settings.functionVersion,
      timeoutSeconds: settings.timeoutSeconds,
      logger,
    });
    const router = new EmulatorRouter({
      log: this.#log,
      logger,
      routes: [...this.#runtimeRoutes.routes, ...extensionsApi.routes],
      frontDoors: new Map([
        [FRONT_DOOR_PATH, (request, response) => frontDoor.handle(request, response)],
        [RESPONSE_STREAM_PATH, (request, response) => responseStream.handle(request, response)],
      ]),
    });
    this.#server = new EmulatorServer((request, response) => router.handle(request, response));
    if (settings.functionUrl !== undefined) {
      const functionUrl = new FunctionUrlFrontDoor({
        invoke: (event, invokeOptions, target) =>
          this.#invokeStreaming(event, this.#frontDoorOptions(invokeOptions), target),
        accountId: settings.accountId,
        functionName: settings.functionName,
        timeoutSeconds: settings.timeoutSeconds,
        logger,
      });
      this.#functionUrlServer = new EmulatorServer((request, response) => {
        functionUrl.handle(request, response).catch((error: unknown) => {
          logger.error({ err: error }, 'the function URL front door failed to handle a request');
          if (!response.headersSent) response.writeHead(500);
          response.end();
        });
      });
    }
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

  /**
   * `http://host:port` of the function URL front door, when started with
   * {@link EmulatorOptions.functionUrl}: any HTTP request there invokes the function with a
   * payload-2.0 event and gets the function's answer as a Lambda function URL gives it.
   *
   * @example
   * ```ts
   * const emulator = await RuntimeApiEmulator.start({ functionUrl: { port: 0 } });
   * const answer = await fetch(`${emulator.functionUrlOrigin}/orders?id=42`);
   * ```
   */
  get functionUrlOrigin(): string | undefined {
    const server = this.#functionUrlServer;
    return server === undefined ? undefined : `http://${server.runtimeApi}`;
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

  /** Runtime processes started with {@link spawn}, and the running one of supervised mode. */
  get runtimes(): readonly SpawnedRuntime[] {
    return this.#supervisor.runtimes;
  }

  /** Supervised mode: the runtime process serving now (`undefined` while none is). */
  get supervisedRuntime(): SpawnedRuntime | undefined {
    return this.#environment?.runtime;
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
    if (this.#environment !== undefined) return this.#environment.invoke(event, options);
    return this.#dispatcher.invoke(event, options);
  }

  /**
   * Like {@link invoke}, as a streaming caller (InvokeWithResponseStream, a streaming function URL):
   * a streamed `/response` reaches the returned {@link InvokeStream} chunk by chunk as it arrives,
   * up to `maxStreamedResponseBytes` (default 200 MiB; past it the stream is cut and the result is
   * `Function.ResponseSizeTooLarge`). The http-integration prelude, if any, is parsed off; a
   * buffered answer comes as one chunk; trailers, a cut or truncated upload end in `result`.
   *
   * @example
   * ```ts
   * const stream = emulator.invokeStream({ prompt: 'hello' });
   * const arrivals = [];
   * for await (const chunk of stream) arrivals.push(chunk.at);
   * const result = await stream.result;
   * expect(result.errorType).toBeUndefined();
   * ```
   */
  invokeStream(event: unknown, options: InvokeOptions = {}): InvokeStream {
    const requestId = options.requestId ?? randomUUID();
    return new InvokeStream(requestId, (target) =>
      this.#invokeStreaming(event, { ...options, requestId }, target),
    );
  }

  /**
   * What a front door's invocation waits for: in supervised mode the function timeout (and the
   * Init limit) end every invocation, so the caller's own limit, which cannot count a suppressed
   * init, is dropped.
   */
  #frontDoorOptions(options: InvokeOptions): InvokeOptions {
    return this.#environment === undefined ? options : { ...options, timeoutMs: undefined };
  }

  /** {@link invoke}, with a streamed `/response` passed to `target` as it arrives. */
  #invokeStreaming(
    event: unknown,
    options: InvokeOptions,
    target: StreamedResponseTarget,
  ): Promise<InvokeResult> {
    const requestId = options.requestId ?? randomUUID();
    return this.#streamTargets.with(requestId, target, () => this.invoke(event, { ...options, requestId }));
  }

  /**
   * Supervised mode: restarts the runtime gracefully, e.g. after a rebuild. The invocation in
   * flight finishes on the current process; then it gets SIGTERM (its process group), SIGKILL
   * after `stopGraceMs`, and a new process starts (its Init begins at once). Invokes that arrive
   * meanwhile, and invocations not yet delivered, wait and run on the new process. Resolves once
   * the new process has been started; calls made while a restart is under way share it.
   *
   * @example
   * ```ts
   * const emulator = await RuntimeApiEmulator.start({ runtime: { command: 'node', args: ['dist/index.mjs'] } });
   * await rebuild();
   * await emulator.restartRuntime(); // the next invoke runs the new code
   * ```
   */
  restartRuntime(): Promise<void> {
    if (this.#closing !== undefined) {
      return Promise.reject(new EmulatorClosedError('Cannot restart the runtime: the emulator is closed'));
    }
    if (this.#environment === undefined) {
      return Promise.reject(
        new NotSupervisedError(
          'restartRuntime() needs supervised mode: start the emulator with the runtime option',
        ),
      );
    }
    return this.#environment.restart();
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
    this.#environment?.close();
    this.#dispatcher.close(
      new EmulatorClosedError('The emulator was closed before the invocation was answered'),
    );
    this.#log.close(new EmulatorClosedError('The emulator was closed before a matching request arrived'));
    this.#runtimeRoutes.closeWaiters(
      new EmulatorClosedError('The emulator was closed before enough GET /next requests were open'),
    );
    this.#extensions.close();
    await this.#supervisor.close();
    await Promise.all([this.#server.close(), this.#functionUrlServer?.close()]);
  }
}
