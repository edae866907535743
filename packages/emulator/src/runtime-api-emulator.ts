import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_EVENT_CONTENT_TYPE,
  type ErrorDocument,
  MAX_RESPONSE_BYTES,
  RUNTIME_API_PREFIX,
  RuntimeApiPath,
  RuntimeHeader,
} from '@lambda-runtime/api';
import { EmulatorClosedError } from './emulator-closed-error.js';
import {
  type EmulatorOptions,
  type ResolvedEmulatorOptions,
  resolveEmulatorOptions,
} from './emulator-options.js';
import { type ExtensionEvent, ExtensionRegistry, type RegisteredExtension } from './extension-registry.js';
import {
  InvocationStateMachine,
  type NextWaiter,
  type TrackedInvocation,
} from './invocation-state-machine.js';
import { FRONT_DOOR_PATH, InvokeFrontDoor } from './invoke-front-door.js';
import type { InvokeOptions } from './invoke-options.js';
import {
  EmulatorInvokeResult,
  type InvokeOutcome,
  type InvokeResult,
  parseErrorDocument,
} from './invoke-result.js';
import { InvokeTimeoutError } from './invoke-timeout-error.js';
import { type ReadRequestBody, readRequestBody } from './request-body.js';
import {
  type MutableRecordedRequest,
  type RecordedRequest,
  RequestLog,
  type RuntimeEndpoint,
} from './request-log.js';
import { buildRuntimeEnvironment, makeLogStreamName } from './runtime-environment.js';
import { serializePerConnection } from './serialize-per-connection.js';
import { type RuntimeExit, SpawnedRuntime, type SpawnRuntimeOptions } from './spawned-runtime.js';

/** Endpoints {@link RuntimeApiEmulator.failNext} can make fail. */
export type FailableEndpoint =
  | 'next'
  | 'response'
  | 'error'
  | 'init-error'
  | 'extension-register'
  | 'extension-next';

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

/** The `/init/error` the runtime posted: its body plus the `Lambda-Runtime-Function-Error-Type` header. */
export type InitErrorReport = ErrorDocument & { readonly errorTypeHeader: string | undefined };

/** Streamed responses may be much larger than buffered ones (docs/runtime-api.md §11). */
const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/** Idle time a kept-alive runtime connection may sit between requests. */
const KEEP_ALIVE_TIMEOUT_MS = 60 * 60 * 1000;
const INVOCATION_ANSWER_PATH = new RegExp(
  `^${RUNTIME_API_PREFIX}/runtime/invocation/([^/]+)/(response|error)$`,
);
const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;
const DEFAULT_SHUTDOWN_BUDGET_MS = 500;
const EXTENSIONS_API_PREFIX = '/2020-01-01';
const EXTENSION_REGISTER_PATH = `${EXTENSIONS_API_PREFIX}/extension/register`;
const EXTENSION_NEXT_PATH = `${EXTENSIONS_API_PREFIX}/extension/event/next`;
/** The LMI emulator's cap on extension request bodies (docs/runtime-api.md §12 item 11). */
const MAX_EXTENSION_BODY_BYTES = 1024 * 1024;
/** Extensions API headers (docs/runtime-api.md §3.3), lower-case as node:http presents them. */
const ExtensionHeader = {
  name: 'lambda-extension-name',
  identifier: 'lambda-extension-identifier',
  acceptFeature: 'lambda-extension-accept-feature',
  eventIdentifier: 'lambda-extension-event-identifier',
} as const;

interface EmulatedInvocation extends TrackedInvocation {
  readonly body: Buffer;
  readonly options: InvokeOptions;
}

interface InjectedFailure {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * A local AWS Lambda Runtime API (docs/runtime-api.md §2.1) plus the RIE-compatible invoke endpoint,
 * on one `node:http` server. Tests drive it with {@link invoke} and inspect {@link requests}; the
 * runtime under test talks to it through `AWS_LAMBDA_RUNTIME_API` ({@link environment}).
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
  readonly #server: Server;
  readonly #settings: ResolvedEmulatorOptions;
  readonly #log = new RequestLog();
  readonly #machine = new InvocationStateMachine<EmulatedInvocation>();
  readonly #frontDoor: InvokeFrontDoor;
  readonly #runtimes = new Set<SpawnedRuntime>();
  readonly #failures = new Map<FailableEndpoint, InjectedFailure[]>();
  readonly #connectionIds = new WeakMap<Socket, number>();
  readonly #logStreamName: string;
  readonly #extensions = new ExtensionRegistry();
  /** Delays (ms) for the next deliveries of an invocation to `/next`, oldest first. */
  readonly #deliveryDelays: number[] = [];
  #port = 0;
  #host = '127.0.0.1';
  #resetsPending = 0;
  /** Extensions may register until the runtime's first `GET /next` arrives. */
  #registrationOpen = true;
  /** The `_HANDLER` of the latest {@link environment}, for the register response. */
  #handler: string | undefined;
  #nextConnectionId = 1;
  #openNext = 0;
  #maxConcurrentNext = 0;
  #initError: InitErrorReport | undefined;
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
    const server = createServer();
    // A parked /next may legitimately wait for hours: no request timeout, long keep-alive.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.timeout = 0;
    const emulator = new RuntimeApiEmulator(server, settings);
    await listen(server, settings.port, settings.host);
    const address = server.address() as AddressInfo;
    emulator.#port = address.port;
    emulator.#host = address.address;
    return emulator;
  }

  private constructor(server: Server, settings: ResolvedEmulatorOptions) {
    this.#server = server;
    this.#settings = settings;
    this.#logStreamName = makeLogStreamName(settings.functionVersion);
    this.#frontDoor = new InvokeFrontDoor({
      invoke: (event, options) => this.invoke(event, options),
      functionVersion: settings.functionVersion,
      timeoutSeconds: settings.timeoutSeconds,
    });
    // One request at a time per connection, like Lambda's server, even when a client pipelines.
    server.on(
      'request',
      serializePerConnection((request: IncomingMessage, response: ServerResponse) =>
        this.#onRequest(request, response),
      ),
    );
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get runtimeApi(): string {
    // Cached: the address must stay readable while stopListening() has the server closed.
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `${host}:${this.#port}`;
  }

  /** `http://host:port`. */
  get origin(): string {
    return `http://${this.runtimeApi}`;
  }

  /** The port the server listens on. */
  get port(): number {
    return this.#port;
  }

  /** The unqualified ARN delivered as `Lambda-Runtime-Invoked-Function-Arn` by default. */
  get functionArn(): string {
    const { region, accountId, functionName } = this.#settings;
    return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }

  /** The underlying server (to inspect its settings; do not close it directly). */
  get server(): Server {
    return this.#server;
  }

  /** Every request the runtime made, in arrival order (invoke front-door calls are not included). */
  get requests(): readonly RecordedRequest[] {
    return this.#log.records;
  }

  /** The highest number of `GET /next` requests that were open at the same time. */
  get maxConcurrentNext(): number {
    return this.#maxConcurrentNext;
  }

  /** How many `GET /next` requests are open right now. */
  get pendingNext(): number {
    return this.#openNext;
  }

  /** The accepted `/init/error`, if the runtime posted one. */
  get initError(): InitErrorReport | undefined {
    return this.#initError;
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
    return [...this.#runtimes];
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
    const environment = buildRuntimeEnvironment(
      {
        runtimeApi: this.runtimeApi,
        functionName: this.#settings.functionName,
        functionVersion: this.#settings.functionVersion,
        memorySizeMb: this.#settings.memorySizeMb,
        region: this.#settings.region,
        logStreamName: this.#logStreamName,
        taskRoot: process.cwd(),
      },
      extra,
    );
    this.#handler = environment._HANDLER;
    return environment;
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
    const command = options.command.includes('/') ? resolve(options.command) : options.command;
    const cwd = options.cwd ?? (command.includes('/') ? dirname(command) : process.cwd());
    const runtime = new SpawnedRuntime(
      {
        ...options,
        command,
        cwd,
        environment: this.environment({ LAMBDA_TASK_ROOT: cwd, ...options.env }),
      },
      (exit, exitedRuntime) => this.#onRuntimeExit(exit, exitedRuntime),
    );
    this.#runtimes.add(runtime);
    return runtime;
  }

  /**
   * Queues an invocation; it is delivered to the runtime's parked `GET /next` when every earlier
   * one has been answered. Resolves on the runtime's `/response` or `/error` for its id, on an
   * `/init/error`, or with `Runtime.ExitError` when the spawned runtime exits first; rejects with
   * {@link InvokeTimeoutError} after `timeoutMs` and with {@link EmulatorClosedError} on close.
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
    const requestId = options.requestId ?? randomUUID();
    const body = eventBytes(event, options.rawBody);
    const timeoutMs = options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
    return new Promise<InvokeResult>((resolveResult, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const invocation: EmulatedInvocation = {
        requestId,
        body,
        options,
        settle: (outcome) => {
          clearTimeout(timer);
          // One turn later: whatever a spawned runtime wrote to stdout/stderr before answering was
          // readable in the same poll as the answer, so it has been read by then. Resolving at
          // once would race the answer's socket against the output pipe.
          setImmediate(() => resolveResult(new EmulatorInvokeResult(requestId, outcome)));
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      timer = setTimeout(() => {
        this.#machine.abandon(invocation);
        reject(new InvokeTimeoutError(requestId, timeoutMs));
      }, timeoutMs);
      const deadRuntime = this.#machine.initFailed ? undefined : this.#allRuntimesExited();
      if (deadRuntime !== undefined) {
        invocation.settle(exitOutcome(requestId, deadRuntime));
        return;
      }
      this.#machine.enqueue(invocation);
    });
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
    let bytes: Buffer;
    if (body === undefined) {
      bytes = Buffer.from(
        JSON.stringify({
          errorType: defaultErrorType(status),
          errorMessage: `Injected ${status} on ${endpoint}`,
        }),
      );
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      bytes = Buffer.from(body);
    } else {
      bytes = Buffer.from(JSON.stringify(body));
    }
    const queue = this.#failures.get(endpoint) ?? [];
    queue.push({ status, body: bytes });
    this.#failures.set(endpoint, queue);
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
    this.#resetsPending += 1;
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
    this.#deliveryDelays.push(Math.max(0, ms));
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
    if (!this.#server.listening) return;
    await new Promise<void>((resolveClose) => {
      this.#server.close(() => resolveClose());
      this.#server.closeAllConnections();
    });
  }

  /**
   * Listens again on the same host and port after {@link stopListening}; no-op when listening.
   * Rejects if the port was taken meanwhile or the emulator is closed.
   */
  async resumeListening(): Promise<void> {
    if (this.#closing !== undefined) {
      throw new EmulatorClosedError('Cannot resume listening: the emulator is closed');
    }
    if (this.#server.listening) return;
    await listen(this.#server, this.#port, this.#host);
  }

  /**
   * Shuts the execution environment down as the platform does (docs/runtime-api.md §6.1 step 11):
   * sends `SHUTDOWN` (with `deadlineMs` = now + budget) to every extension subscribed to it; then,
   * if any extension registered, SIGTERM to every running spawned runtime (its process group) and
   * SIGKILL when `budgetMs` runs out; with no extension registered, SIGKILL at once. Resolves when
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
    const budgetMs = Math.max(0, options.budgetMs ?? DEFAULT_SHUTDOWN_BUDGET_MS);
    const graceful = this.#extensions.size > 0;
    const startedAt = Date.now();
    this.#extensions.broadcast({
      eventType: 'SHUTDOWN',
      shutdownReason: options.reason ?? 'spindown',
      deadlineMs: startedAt + (graceful ? budgetMs : 0),
    });
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

  /**
   * Rejects pending invocations and waiters, stops spawned runtimes (SIGTERM, SIGKILL after 2 s)
   * and closes the server with all its connections. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#machine.close(
      new EmulatorClosedError('The emulator was closed before the invocation was answered'),
    );
    this.#log.close(new EmulatorClosedError('The emulator was closed before a matching request arrived'));
    this.#extensions.close();
    await Promise.all([...this.#runtimes].map((runtime) => runtime.terminate()));
    await new Promise<void>((resolveClose) => {
      this.#server.close(() => resolveClose());
      this.#server.closeAllConnections();
    });
  }

  #onRuntimeExit(exit: RuntimeExit, runtime: SpawnedRuntime): void {
    this.#settings.logger.debug({ pid: runtime.pid, ...exit }, 'runtime process exited');
    if (this.#closing !== undefined || this.#allRuntimesExited() === undefined) return;
    this.#machine.runtimeExited((requestId) => exitOutcome(requestId, runtime));
  }

  /** The last runtime if every spawned runtime has exited; `undefined` if one runs or none was spawned. */
  #allRuntimesExited(): SpawnedRuntime | undefined {
    let last: SpawnedRuntime | undefined;
    for (const runtime of this.#runtimes) {
      if (runtime.exit === undefined) return undefined;
      last = runtime;
    }
    return last;
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '/';
    const path = target.split('?', 1)[0] ?? target;
    if (path === FRONT_DOOR_PATH) {
      this.#frontDoor
        .handle(request, response)
        .catch((error: unknown) => this.#internalError(response, error));
      return;
    }
    const record = this.#log.add({
      method: request.method ?? 'GET',
      path: target,
      endpoint: classify(path),
      headers: flattenHeaders(request.headers),
      connectionId: this.#connectionId(request.socket),
    });
    this.#route(path, record, request, response).catch((error: unknown) => {
      this.#internalError(response, error);
      this.#finishRecord(record, response.headersSent ? response.statusCode : undefined);
    });
  }

  async #route(
    path: string,
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const method = record.method;
    const answer = INVOCATION_ANSWER_PATH.exec(path);
    if (path === RuntimeApiPath.next && method === 'GET') return this.#handleNext(record, request, response);
    if (path === EXTENSION_REGISTER_PATH && method === 'POST') {
      return this.#handleExtensionRegister(record, request, response);
    }
    if (path === EXTENSION_NEXT_PATH && method === 'GET') {
      return this.#handleExtensionNext(record, request, response);
    }
    if (path === RuntimeApiPath.initError && method === 'POST') {
      return this.#handleInitError(record, request, response);
    }
    if (answer !== null && method === 'POST') {
      return this.#handleAnswer(
        answer[2] as 'response' | 'error',
        answer[1] ?? '',
        record,
        request,
        response,
      );
    }
    const read = await this.#readBody(record, request, 0);
    if (read.aborted) return this.#finishRecord(record, undefined);
    if (record.endpoint === 'ping' && method === 'GET') {
      return this.#send(record, response, 200, Buffer.from('pong'), { 'content-type': 'text/plain' });
    }
    if (record.endpoint !== 'unknown') {
      return this.#sendError(
        record,
        response,
        405,
        'MethodNotAllowed',
        `${method} is not allowed on ${path}`,
      );
    }
    this.#sendError(record, response, 404, 'NotFound', `No such endpoint: ${method} ${path}`);
  }

  async #handleNext(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const read = await this.#readBody(record, request, MAX_RESPONSE_BYTES);
    if (read.aborted) return this.#finishRecord(record, undefined);
    this.#registrationOpen = false;
    if (this.#resetsPending > 0) {
      this.#resetsPending -= 1;
      this.#settings.logger.debug({ path: record.path }, 'resetting the connection of /next on request');
      request.socket.resetAndDestroy();
      return this.#finishRecord(record, undefined);
    }
    if (this.#sendInjected('next', record, response)) return;
    if (this.#machine.initFailed) {
      return this.#sendError(
        record,
        response,
        403,
        'InvalidStateTransition',
        'State transition from InitError to Ready failed for runtime. Error: State transition is not allowed',
      );
    }
    this.#openNext += 1;
    this.#maxConcurrentNext = Math.max(this.#maxConcurrentNext, this.#openNext);
    let open = true;
    let delayed: { readonly invocation: EmulatedInvocation; readonly timer: NodeJS.Timeout } | undefined;
    const close = (): void => {
      open = false;
      this.#openNext -= 1;
    };
    const gone = (): boolean =>
      !open || response.destroyed || response.writableEnded || request.socket.destroyed;
    const answer = (invocation: EmulatedInvocation): void => {
      close();
      record.requestId = invocation.requestId;
      this.#settings.logger.debug({ requestId: invocation.requestId }, 'delivering invocation');
      const deadlineMs = invocation.options.deadlineMs ?? Date.now() + this.#settings.timeoutSeconds * 1000;
      this.#send(record, response, 200, invocation.body, this.#nextHeaders(invocation, deadlineMs));
      this.#extensions.broadcast(this.#invokeEvent(invocation, deadlineMs));
    };
    const waiter: NextWaiter<EmulatedInvocation> = {
      deliver: (invocation) => {
        if (gone() || delayed !== undefined) return false;
        const delayMs = this.#deliveryDelays.shift();
        if (delayMs === undefined) {
          answer(invocation);
          return true;
        }
        const timer = setTimeout(() => {
          delayed = undefined;
          // The invoke may have timed out meanwhile: then this /next waits for the next one.
          if (this.#machine.inFlight === invocation) answer(invocation);
          else this.#machine.next(waiter);
        }, delayMs);
        delayed = { invocation, timer };
        return true;
      },
    };
    response.on('close', () => {
      if (!open) return;
      close();
      if (delayed === undefined) {
        this.#machine.unpark(waiter);
        return;
      }
      clearTimeout(delayed.timer);
      const invocation = delayed.invocation;
      delayed = undefined;
      this.#machine.requeue(invocation);
    });
    this.#machine.next(waiter);
    // Parked: let waiters see the long poll.
    if (open) this.#log.publish(record);
  }

  async #handleExtensionRegister(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const read = await this.#readBody(record, request, MAX_EXTENSION_BODY_BYTES);
    if (read.aborted) return this.#finishRecord(record, undefined);
    if (this.#sendInjected('extension-register', record, response)) return;
    const outcome = this.#extensions.register(
      record.headers[ExtensionHeader.name],
      read.body,
      this.#registrationOpen,
    );
    if (!outcome.ok) {
      return this.#sendError(record, response, 403, outcome.errorType, outcome.errorMessage);
    }
    const body: Record<string, string> = {
      functionName: this.#settings.functionName,
      functionVersion: this.#settings.functionVersion,
      handler: this.#handler ?? '',
    };
    const features = (record.headers[ExtensionHeader.acceptFeature] ?? '').split(',');
    if (features.some((feature) => feature.trim() === 'accountId')) body.accountId = this.#settings.accountId;
    this.#send(record, response, 200, Buffer.from(JSON.stringify(body)), {
      'content-type': 'application/json',
      [ExtensionHeader.identifier]: outcome.extension.id,
    });
  }

  async #handleExtensionNext(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const read = await this.#readBody(record, request, MAX_EXTENSION_BODY_BYTES);
    if (read.aborted) return this.#finishRecord(record, undefined);
    if (this.#sendInjected('extension-next', record, response)) return;
    const id = record.headers[ExtensionHeader.identifier] ?? '';
    if (id === '') {
      return this.#sendError(
        record,
        response,
        403,
        'Extension.MissingExtensionIdentifier',
        `Missing ${ExtensionHeader.identifier} header`,
      );
    }
    if (!this.#extensions.has(id)) {
      return this.#sendError(
        record,
        response,
        403,
        'Extension.UnknownExtensionIdentifier',
        `Unknown extension ${id}`,
      );
    }
    let open = true;
    const waiter = {
      deliver: (event: ExtensionEvent): boolean => {
        if (!open || response.destroyed || response.writableEnded || request.socket.destroyed) return false;
        open = false;
        this.#send(record, response, 200, Buffer.from(JSON.stringify(event)), {
          'content-type': 'application/json',
          [ExtensionHeader.eventIdentifier]: randomUUID(),
        });
        return true;
      },
    };
    response.on('close', () => {
      if (!open) return;
      open = false;
      this.#extensions.unpark(id, waiter);
    });
    this.#extensions.next(id, waiter);
    if (open) this.#log.publish(record);
  }

  #invokeEvent(invocation: EmulatedInvocation, deadlineMs: number): ExtensionEvent {
    const { traceId, invokedFunctionArn } = invocation.options;
    return {
      eventType: 'INVOKE',
      deadlineMs,
      requestId: invocation.requestId,
      invokedFunctionArn: invokedFunctionArn ?? this.functionArn,
      ...(traceId === undefined || traceId === ''
        ? {}
        : { tracing: { type: 'X-Amzn-Trace-Id' as const, value: traceId } }),
    };
  }

  async #handleAnswer(
    kind: 'response' | 'error',
    rawId: string,
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    let requestId = rawId;
    let decodable = true;
    try {
      requestId = decodeURIComponent(rawId);
    } catch {
      decodable = false;
    }
    record.requestId = requestId;
    const mode = record.headers[RuntimeHeader.functionResponseMode];
    const streaming = kind === 'response' && mode === 'streaming';
    const read = await this.#readBody(
      record,
      request,
      streaming ? MAX_STREAMED_RESPONSE_BYTES : MAX_RESPONSE_BYTES,
    );
    if (read.aborted) {
      if (decodable && kind === 'response' && this.#machine.check(requestId) === 'current') {
        this.#machine.finish(
          requestId,
          platformError(
            'response',
            'Runtime.TruncatedResponse',
            'The response body ended prematurely',
            record,
          ),
        );
      }
      return this.#finishRecord(record, undefined);
    }
    if (this.#sendInjected(kind, record, response)) return;

    const state = decodable ? this.#machine.check(requestId) : 'unknown';
    if (state === 'answered') {
      return this.#sendError(
        record,
        response,
        403,
        'InvalidStateTransition',
        `Invocation ${requestId} has already been answered. Error: State transition is not allowed`,
      );
    }
    if (state === 'timed-out') {
      return this.#sendError(record, response, 410, 'InvokeTimeout', `Invocation ${requestId} has timed out`);
    }
    if (state === 'unknown')
      return this.#sendError(record, response, 400, 'InvalidRequestID', 'Invalid request ID');

    if (kind === 'response' && mode !== undefined && !streaming) {
      this.#sendError(
        record,
        response,
        400,
        'InvalidFunctionResponseMode',
        `Invalid ${RuntimeHeader.functionResponseMode} header value: ${JSON.stringify(mode)}`,
      );
      this.#machine.finish(
        requestId,
        platformError(
          'response',
          'Runtime.InvalidResponseModeHeader',
          `Invalid response mode ${mode}`,
          record,
        ),
      );
      return;
    }
    if (read.overLimit) {
      this.#sendError(
        record,
        response,
        413,
        'RequestEntityTooLarge',
        `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      );
      this.#machine.finish(
        requestId,
        platformError(
          kind,
          'Function.ResponseSizeTooLarge',
          `Response payload size (${read.length} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          record,
        ),
      );
      return;
    }

    this.#send(record, response, 202, Buffer.from(JSON.stringify({ status: 'OK' })), {
      'content-type': 'application/json',
    });
    this.#machine.finish(requestId, answerOutcome(kind, read, record));
  }

  async #handleInitError(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const read = await this.#readBody(record, request, MAX_RESPONSE_BYTES);
    if (read.aborted) return this.#finishRecord(record, undefined);
    if (this.#sendInjected('init-error', record, response)) return;
    const errorTypeHeader = record.headers[RuntimeHeader.functionErrorType];
    const accepted = this.#machine.initError({
      status: 'error',
      via: 'init-error',
      payload: read.body,
      contentType: record.headers[RuntimeHeader.contentType],
      errorTypeHeader,
      request: record,
    });
    if (!accepted) {
      return this.#sendError(
        record,
        response,
        403,
        'InvalidStateTransition',
        'State transition from Ready to InitError failed for runtime. Error: State transition is not allowed',
      );
    }
    this.#initError = { ...parseErrorDocument(read.body, errorTypeHeader), errorTypeHeader };
    this.#send(record, response, 202, Buffer.from(JSON.stringify({ status: 'OK' })), {
      'content-type': 'application/json',
    });
  }

  #nextHeaders(invocation: EmulatedInvocation, deadlineMs: number): Record<string, string> {
    const options = invocation.options;
    const headers: Record<string, string> = {
      [RuntimeHeader.requestId]: invocation.requestId,
      [RuntimeHeader.deadlineMs]: String(deadlineMs),
      [RuntimeHeader.invokedFunctionArn]: options.invokedFunctionArn ?? this.functionArn,
    };
    if (options.traceId !== undefined) headers[RuntimeHeader.traceId] = options.traceId;
    if (options.clientContext !== undefined) headers[RuntimeHeader.clientContext] = options.clientContext;
    if (options.cognitoIdentity !== undefined)
      headers[RuntimeHeader.cognitoIdentity] = options.cognitoIdentity;
    if (options.tenantId !== undefined) headers[RuntimeHeader.tenantId] = options.tenantId;
    if (options.contentType !== null) {
      headers[RuntimeHeader.contentType] = options.contentType ?? DEFAULT_EVENT_CONTENT_TYPE;
    }
    for (const [name, value] of Object.entries(options.extraHeaders ?? {})) {
      delete headers[name.toLowerCase()];
      headers[name] = value;
    }
    return headers;
  }

  #readBody(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    limit: number,
  ): Promise<ReadRequestBody> {
    const chunks: { at: number; bytes: number }[] = [];
    record.bodyChunks = chunks;
    return readRequestBody(request, limit, (bytes) => {
      chunks.push({ at: Date.now(), bytes });
      record.bodyLength += bytes;
    }).then((read) => {
      record.body = read.body;
      record.bodyLength = read.length;
      record.trailers = read.trailers;
      record.aborted = read.aborted;
      return read;
    });
  }

  #sendInjected(
    endpoint: FailableEndpoint,
    record: MutableRecordedRequest,
    response: ServerResponse,
  ): boolean {
    const failure = this.#failures.get(endpoint)?.shift();
    if (failure === undefined) return false;
    this.#send(record, response, failure.status, failure.body, { 'content-type': 'application/json' });
    return true;
  }

  #sendError(
    record: MutableRecordedRequest,
    response: ServerResponse,
    status: number,
    errorType: string,
    errorMessage: string,
  ): void {
    if (status !== 404) this.#settings.logger.warn({ path: record.path, status, errorType }, errorMessage);
    this.#send(record, response, status, Buffer.from(JSON.stringify({ errorType, errorMessage })), {
      'content-type': 'application/json',
    });
  }

  #send(
    record: MutableRecordedRequest,
    response: ServerResponse,
    status: number,
    body: Buffer,
    headers: Record<string, string>,
  ): void {
    if (!response.destroyed && !response.headersSent) {
      response.writeHead(status, { ...headers, 'content-length': String(body.length) });
      response.end(body);
      this.#finishRecord(record, status);
    } else {
      this.#finishRecord(record, undefined);
    }
  }

  #finishRecord(record: MutableRecordedRequest, status: number | undefined): void {
    record.status = status;
    record.answeredAt = Date.now();
    this.#log.publish(record);
  }

  #internalError(response: ServerResponse, error: unknown): void {
    this.#settings.logger.error({ err: error }, 'emulator failed to handle a request');
    if (response.destroyed || response.headersSent) return;
    const body = JSON.stringify({ errorType: 'InternalServerError', errorMessage: 'The emulator failed' });
    response.writeHead(500, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  #connectionId(socket: Socket): number {
    let id = this.#connectionIds.get(socket);
    if (id === undefined) {
      id = this.#nextConnectionId;
      this.#nextConnectionId += 1;
      this.#connectionIds.set(socket, id);
    }
    return id;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

function eventBytes(event: unknown, rawBody: Uint8Array | string | undefined): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody !== undefined) return Buffer.from(rawBody);
  return Buffer.from(JSON.stringify(event) ?? 'null', 'utf8');
}

function answerOutcome(
  kind: 'response' | 'error',
  read: ReadRequestBody,
  record: RecordedRequest,
): InvokeOutcome {
  const contentType = record.headers[RuntimeHeader.contentType];
  if (kind === 'error') {
    return {
      status: 'error',
      via: 'error',
      payload: read.body,
      contentType,
      errorTypeHeader: record.headers[RuntimeHeader.functionErrorType],
      request: record,
    };
  }
  // A streamed response that failed after its first byte says so in trailers (docs/runtime-api.md §7).
  const trailerType = read.trailers[RuntimeHeader.functionErrorType];
  if (trailerType !== undefined && trailerType !== '') {
    const trailerBody = read.trailers[RuntimeHeader.functionErrorBody];
    return {
      status: 'error',
      via: 'response',
      payload: read.body,
      contentType,
      errorTypeHeader: trailerType,
      error:
        trailerBody === undefined
          ? { errorType: trailerType, errorMessage: '', stackTrace: [] }
          : parseErrorDocument(Buffer.from(trailerBody, 'base64'), trailerType),
      request: record,
    };
  }
  return { status: 'success', via: 'response', payload: read.body, contentType, request: record };
}

/** An invocation failure the platform itself produces (413, truncated body, bad response mode). */
function platformError(
  via: 'response' | 'error',
  errorType: string,
  errorMessage: string,
  record: RecordedRequest,
): InvokeOutcome {
  return {
    status: 'error',
    via,
    payload: Buffer.from(JSON.stringify({ errorType, errorMessage })),
    contentType: 'application/json',
    errorTypeHeader: errorType,
    request: record,
  };
}

/** What the caller sees when the runtime process is gone (the RIE's wording). */
function exitOutcome(requestId: string, runtime: SpawnedRuntime): InvokeOutcome {
  const spawnError = runtime.spawnError;
  const exit = runtime.exit;
  const [errorType, reason] =
    spawnError !== undefined
      ? ['Runtime.InvalidEntrypoint', `could not start the runtime: ${spawnError.message}`]
      : [
          'Runtime.ExitError',
          `Runtime exited with error: ${exit?.code !== null && exit?.code !== undefined ? `exit status ${exit.code}` : `signal: ${exit?.signal ?? 'unknown'}`}`,
        ];
  return {
    status: 'error',
    via: 'exit',
    payload: Buffer.from(
      JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${reason}` }),
    ),
    contentType: 'application/json',
    errorTypeHeader: errorType,
  };
}

function classify(path: string): RuntimeEndpoint {
  if (path === RuntimeApiPath.next) return 'next';
  if (path === RuntimeApiPath.initError) return 'init-error';
  const answer = INVOCATION_ANSWER_PATH.exec(path);
  if (answer !== null) return answer[2] === 'response' ? 'response' : 'error';
  if (path === EXTENSION_REGISTER_PATH) return 'extension-register';
  if (path === EXTENSION_NEXT_PATH) return 'extension-next';
  if (path === '/ping' || path === `${RUNTIME_API_PREFIX}/ping`) return 'ping';
  return 'unknown';
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function defaultErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'InvalidRequestID';
    case 403:
      return 'InvalidStateTransition';
    case 410:
      return 'InvokeTimeout';
    case 413:
      return 'RequestEntityTooLarge';
    default:
      return status >= 500 ? 'InternalServerError' : 'InjectedError';
  }
}
