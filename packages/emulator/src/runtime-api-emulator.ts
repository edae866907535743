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
import { type RuntimeExit, SpawnedRuntime, type SpawnRuntimeOptions } from './spawned-runtime.js';

/** Endpoints {@link RuntimeApiEmulator.failNext} can make fail. */
export type FailableEndpoint = 'next' | 'response' | 'error' | 'init-error';

/** The `/init/error` the runtime posted: its body plus the `Lambda-Runtime-Function-Error-Type` header. */
export type InitErrorReport = ErrorDocument & { readonly errorTypeHeader: string | undefined };

/** Streamed responses may be much larger than buffered ones (runtime-api.md §11). */
const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/** Idle time a kept-alive runtime connection may sit between requests. */
const KEEP_ALIVE_TIMEOUT_MS = 60 * 60 * 1000;
const INVOCATION_ANSWER_PATH = new RegExp(
  `^${RUNTIME_API_PREFIX}/runtime/invocation/([^/]+)/(response|error)$`,
);
const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;

interface EmulatedInvocation extends TrackedInvocation {
  readonly body: Buffer;
  readonly options: InvokeOptions;
}

interface InjectedFailure {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * A local AWS Lambda Runtime API (runtime-api.md §2.1) plus the RIE-compatible invoke endpoint,
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
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
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
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      this.#onRequest(request, response),
    );
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get runtimeApi(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    return `${host}:${address.port}`;
  }

  /** `http://host:port`. */
  get origin(): string {
    return `http://${this.runtimeApi}`;
  }

  /** The port the server listens on. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
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

  /** Runtime processes started with {@link spawn}. */
  get runtimes(): readonly SpawnedRuntime[] {
    return [...this.#runtimes];
  }

  /**
   * The environment of a runtime process (runtime-api.md §4): reserved variables, fake
   * credentials, `PATH`/`HOME` from this process and nothing else from it. `extra` entries win;
   * an `undefined` value removes the variable.
   *
   * @example
   * ```ts
   * spawn('node', ['bootstrap.js'], { env: emulator.environment({ _HANDLER: 'index.handler' }) });
   * ```
   */
  environment(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
    return buildRuntimeEnvironment(
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
          resolveResult(new EmulatorInvokeResult(requestId, outcome));
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
   * Makes the next request to `endpoint` fail with `status` and a JSON `{errorType, errorMessage}`
   * body (or `body`: a string or bytes are sent as they are, anything else as JSON). Calls queue up.
   * The request changes no state: an answer that gets the injected status is not recorded.
   *
   * @example
   * ```ts
   * emulator.failNext('response'); // the runtime's next /response gets 500: it must exit
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
    const close = (): void => {
      open = false;
      this.#openNext -= 1;
    };
    const waiter: NextWaiter<EmulatedInvocation> = {
      deliver: (invocation) => {
        if (!open || response.destroyed || response.writableEnded || request.socket.destroyed) return false;
        close();
        record.requestId = invocation.requestId;
        this.#settings.logger.debug({ requestId: invocation.requestId }, 'delivering invocation');
        this.#send(record, response, 200, invocation.body, this.#nextHeaders(invocation));
        return true;
      },
    };
    response.on('close', () => {
      if (!open) return;
      close();
      this.#machine.unpark(waiter);
    });
    this.#machine.next(waiter);
    // Parked: let waiters see the long poll.
    if (open) this.#log.publish(record);
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

  #nextHeaders(invocation: EmulatedInvocation): Record<string, string> {
    const options = invocation.options;
    const headers: Record<string, string> = {
      [RuntimeHeader.requestId]: invocation.requestId,
      [RuntimeHeader.deadlineMs]: String(
        options.deadlineMs ?? Date.now() + this.#settings.timeoutSeconds * 1000,
      ),
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
  // A streamed response that failed after its first byte says so in trailers (runtime-api.md §7).
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
