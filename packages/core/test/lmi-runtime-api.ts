import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How an invocation of {@link LmiRuntimeApi} was answered. */
export interface LmiAnswer {
  readonly requestId: string;
  readonly via: 'response' | 'error';
  /** The status the fake gave the answer (202, or the fault or 410 it was told to give). */
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** One request the runtime made, in arrival order. */
export interface LmiRequest {
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  /** `/next` calls open (parked or being answered) when this one arrived, itself included. */
  readonly openNext: number;
  readonly at: number;
}

interface Pending {
  readonly requestId: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  answered: boolean;
  expired: boolean;
  resolve(answer: LmiAnswer): void;
}

/** The options of {@link LmiRuntimeApi.invoke}. */
export interface LmiInvokeOptions {
  readonly traceId?: string;
  readonly tenantId?: string;
  readonly deadlineMs?: number;
}

/**
 * A fake Runtime API in Lambda Managed Instances mode, on 127.0.0.1 port 0: any number of `/next`
 * long polls parked at once, invocations handed to them in order, answers accepted for any id in
 * flight (so completion may interleave), 410 `InvokeTimeout` for an id marked {@link expire}d, only
 * the first `/init/error` accepted (403 for the others), and injected faults.
 */
export class LmiRuntimeApi {
  readonly requests: LmiRequest[] = [];
  readonly answers: LmiAnswer[] = [];
  readonly initErrors: Array<{ status: number; body: string }> = [];
  openNext = 0;
  maxOpenNext = 0;
  private readonly server: Server;
  private readonly queue: Pending[] = [];
  private readonly parked: Array<(pending: Pending) => void> = [];
  private readonly inFlight = new Map<string, Pending>();
  private readonly nextFaults: Array<number | 'reset'> = [];
  private readonly postFaults = new Map<string, number>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly children = new Set<ChildProcess>();
  private nextWaiters: Array<() => void> = [];

  private constructor(server: Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    });
  }

  static async start(): Promise<LmiRuntimeApi> {
    const server = createServer({ keepAliveTimeout: 600_000, requestTimeout: 0, headersTimeout: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LmiRuntimeApi(server);
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get runtimeApi(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** The reserved variables of a Managed Instances environment with `maxConcurrency` invocations. */
  environment(maxConcurrency: number, extra: Record<string, string> = {}): Record<string, string> {
    return {
      AWS_LAMBDA_RUNTIME_API: this.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'orders',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
      AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency),
      AWS_REGION: 'us-east-1',
      // What the Managed Instances emulator sets for a runtime of its own (runtime-api.md §4).
      AWS_EXECUTION_ENV: 'AWS_Lambda_Image',
      ...extra,
    };
  }

  /** Queues an invocation; resolves with its answer. */
  invoke(
    event: unknown,
    options: LmiInvokeOptions = {},
  ): { requestId: string; answered: Promise<LmiAnswer> } {
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      'lambda-runtime-aws-request-id': requestId,
      'lambda-runtime-deadline-ms': String(options.deadlineMs ?? Date.now() + 60_000),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:orders',
      'content-type': 'application/json',
    };
    if (options.traceId !== undefined) headers['lambda-runtime-trace-id'] = options.traceId;
    if (options.tenantId !== undefined) headers['lambda-runtime-aws-tenant-id'] = options.tenantId;
    const answered = new Promise<LmiAnswer>((resolve) => {
      const pending: Pending = {
        requestId,
        body: JSON.stringify(event),
        headers,
        answered: false,
        expired: false,
        resolve,
      };
      const waiting = this.parked.shift();
      if (waiting === undefined) this.queue.push(pending);
      else waiting(pending);
    });
    return { requestId, answered };
  }

  /** The invocation timed out: a later answer for it gets 410 `InvokeTimeout`. */
  expire(requestId: string): void {
    const pending = this.inFlight.get(requestId);
    if (pending !== undefined) pending.expired = true;
  }

  /** The next `/next` calls to arrive get these statuses (or a connection reset) instead of an invocation. */
  failNext(...faults: Array<number | 'reset'>): void {
    this.nextFaults.push(...faults);
  }

  /** The answer for `requestId` gets `status` (a 5xx, say) instead of 202. */
  failPost(requestId: string, status: number): void {
    this.postFaults.set(requestId, status);
  }

  /** Resolves once `count` `/next` calls are parked. */
  async waitForParked(count: number): Promise<void> {
    while (this.parked.length < count) {
      await new Promise<void>((resolve) => this.nextWaiters.push(resolve));
    }
  }

  get parkedCount(): number {
    return this.parked.length;
  }

  /**
   * Starts a runtime process against this fake (`node args...`, or `command args...`); it is killed
   * on {@link close}.
   */
  spawn(args: readonly string[], env: Record<string, string>, command = process.execPath): SpawnedProcess {
    const child = spawn(command, [...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    const spawned: SpawnedProcess = {
      child,
      stdout: '',
      stderr: '',
      exited: new Promise((resolve) => {
        child.on('exit', (code, signal) => {
          this.children.delete(child);
          resolve({ code, signal });
        });
      }),
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      spawned.stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      spawned.stderr += chunk;
    });
    return spawned;
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '';
    const body = await readBody(request);
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const requestId = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    if (path === '/2018-06-01/runtime/invocation/next' && request.method === 'GET') {
      this.openNext += 1;
      this.maxOpenNext = Math.max(this.maxOpenNext, this.openNext);
      this.record(request, path, undefined);
      response.on('close', () => {
        this.openNext -= 1;
      });
      await this.next(response);
      return;
    }
    this.record(request, path, requestId);
    if (path === '/2018-06-01/runtime/init/error' && request.method === 'POST') {
      const status = this.initErrors.length === 0 ? 202 : 403;
      this.initErrors.push({ status, body });
      send(response, status, status === 202 ? { status: 'OK' } : forbidden());
      return;
    }
    if (match !== null && requestId !== undefined && request.method === 'POST') {
      this.answer(requestId, match[2] as 'response' | 'error', body, request, response);
      return;
    }
    send(response, 404, { errorType: 'NotFound', errorMessage: path });
  }

  private async next(response: ServerResponse): Promise<void> {
    const fault = this.nextFaults.shift();
    if (fault === 'reset') {
      response.socket?.resetAndDestroy();
      return;
    }
    if (fault !== undefined) {
      send(response, fault, { errorType: 'InternalError', errorMessage: 'injected' });
      return;
    }
    const pending =
      this.queue.shift() ??
      (await new Promise<Pending>((resolve) => {
        this.parked.push(resolve);
        const waiters = this.nextWaiters;
        this.nextWaiters = [];
        for (const wake of waiters) wake();
        response.on('close', () => {
          const index = this.parked.indexOf(resolve);
          if (index >= 0) this.parked.splice(index, 1);
        });
      }));
    if (response.destroyed) {
      // The runtime went away while parked: hand the invocation to the next poll.
      this.queue.unshift(pending);
      return;
    }
    this.inFlight.set(pending.requestId, pending);
    response.writeHead(200, pending.headers);
    response.end(pending.body);
  }

  private answer(
    requestId: string,
    via: 'response' | 'error',
    body: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const pending = this.inFlight.get(requestId);
    if (pending === undefined || pending.answered) {
      send(response, pending === undefined ? 400 : 403, {
        errorType: 'InvalidRequestID',
        errorMessage: requestId,
      });
      return;
    }
    const fault = this.postFaults.get(requestId);
    const status = fault ?? (pending.expired ? 410 : 202);
    pending.answered = true;
    this.inFlight.delete(requestId);
    const answer: LmiAnswer = { requestId, via, status, body, headers: request.headers };
    this.answers.push(answer);
    pending.resolve(answer);
    if (status === 410) send(response, 410, { errorType: 'InvokeTimeout', errorMessage: 'Invoke timed out' });
    else if (status >= 400) send(response, status, { errorType: 'InternalError', errorMessage: 'injected' });
    else send(response, 202, { status: 'OK' });
  }

  private record(request: IncomingMessage, path: string, requestId: string | undefined): void {
    this.requests.push({
      method: request.method ?? '',
      path,
      requestId,
      openNext: this.openNext,
      at: Date.now(),
    });
  }
}

/** A runtime process started by {@link LmiRuntimeApi.spawn}. */
export interface SpawnedProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function forbidden(): Record<string, string> {
  return { errorType: 'InvalidStateTransition', errorMessage: 'State transition is not allowed' };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
