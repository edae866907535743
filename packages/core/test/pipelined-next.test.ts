import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  currentInvocation,
  type InvocationContext,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { DefaultRuntimeLoop } from '../src/index.js';
import { memoryLogger, readEnvironment, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));
const encoder = new TextEncoder();

/** Answers /next from a list and holds each post until the test releases it. */
class ScriptedTransport implements Transport {
  readonly calls: string[] = [];
  readonly pipelining: boolean;
  readonly #events: string[];
  #releasePost: (() => void) | undefined;

  constructor(pipelining: boolean, events: string[]) {
    this.pipelining = pipelining;
    this.#events = events;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    this.calls.push(`${request.method} ${request.path}`);
    if (request.method === 'POST') {
      return new Promise((resolve) => {
        this.#releasePost = () =>
          resolve({ status: 202, headers: {}, body: encoder.encode('{"status":"OK"}') });
      });
    }
    const id = this.#events.shift();
    if (id === undefined) return new Promise(() => undefined);
    return Promise.resolve({
      status: 200,
      headers: {
        'lambda-runtime-aws-request-id': id,
        'lambda-runtime-deadline-ms': String(Date.now() + 60_000),
        'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      },
      body: encoder.encode('{}'),
    });
  }

  releasePost(): void {
    this.#releasePost?.();
  }

  async close(): Promise<void> {}
}

/** The real socket transport (pipelining), recording the invocation each request was made in. */
class ScopeRecordingTransport implements Transport {
  /** `METHOD requestId`, `-` for a request made outside any invocation. */
  readonly scopes: string[] = [];
  readonly pipelining = true;
  readonly #inner: SocketTransport;

  constructor(origin: string) {
    this.#inner = new SocketTransport({ origin, pipelining: true });
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    this.scopes.push(`${request.method} ${currentInvocation()?.awsRequestId ?? '-'}`);
    return this.#inner.request(request);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

describe('the next /next behind each answer', () => {
  let emulator: RuntimeApiEmulator | undefined;

  afterEach(async () => {
    await emulator?.close();
  });

  async function loopOver(
    transport: Transport | ((origin: string) => Transport),
    handler: (event: unknown, context: InvocationContext) => Promise<unknown> = async () => 'ok',
  ): Promise<DefaultRuntimeLoop> {
    emulator = await RuntimeApiEmulator.start();
    const environment = readEnvironment(emulator);
    const loop = new DefaultRuntimeLoop(
      typeof transport === 'function' ? transport(emulator.origin) : transport,
      new DefaultContextBuilder(environment),
      new DefaultPayloadCodec(),
      memoryLogger().logger,
      environment,
    );
    loop.run(handler).catch(() => undefined);
    return loop;
  }

  it('item 17: issues /next right after writing the answer when the transport pipelines, never before it', async () => {
    const transport = new ScriptedTransport(true, ['a']);
    const loop = await loopOver(transport);

    await until(() => transport.calls.length === 3);
    // The answer's status is still pending, yet /next is already asked for, after the answer.
    expect(transport.calls).toEqual([
      'GET /2018-06-01/runtime/invocation/next',
      'POST /2018-06-01/runtime/invocation/a/response',
      'GET /2018-06-01/runtime/invocation/next',
    ]);
    transport.releasePost();
    loop.stop();
  });

  it('item 17: issues the /next behind an answer outside the answered invocation, so nothing of it rides along', async () => {
    let transport: ScopeRecordingTransport | undefined;
    const loop = await loopOver((origin) => {
      transport = new ScopeRecordingTransport(origin);
      return transport;
    });
    const server = emulator as RuntimeApiEmulator;

    const first = await server.invoke({ n: 1 });
    const second = await server.invoke({ n: 2 });
    await until(() => (transport?.scopes.length ?? 0) === 5);

    // The answers are posted as their invocations; each /next, pipelined or not, as no invocation.
    expect(transport?.scopes).toEqual([
      'GET -',
      `POST ${first.requestId}`,
      'GET -',
      `POST ${second.requestId}`,
      'GET -',
    ]);
    loop.stop();
  });

  it('lets go of an answered invocation while the /next behind it is parked', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let transport: ScopeRecordingTransport | undefined;
    let answered: WeakRef<InvocationContext> | undefined;
    const loop = await loopOver(
      (origin) => {
        transport = new ScopeRecordingTransport(origin);
        return transport;
      },
      async (_event, context) => {
        answered = new WeakRef(context);
        return 'ok';
      },
    );

    const result = await (emulator as RuntimeApiEmulator).invoke({});
    await until(() => (transport?.scopes.length ?? 0) === 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();

    // Only the parked /next is left; nothing of the answered invocation may keep its context alive.
    expect(result.status).toBe('success');
    expect(answered).toBeDefined();
    expect(answered?.deref()).toBeUndefined();
    loop.stop();
  });

  it('item 17: waits for the answer before /next when the transport does not pipeline', async () => {
    const transport = new ScriptedTransport(false, ['a']);
    const loop = await loopOver(transport);

    await until(() => transport.calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.calls).toHaveLength(2);
    transport.releasePost();
    await until(() => transport.calls.length === 3);
    expect(transport.calls[2]).toBe('GET /2018-06-01/runtime/invocation/next');
    loop.stop();
  });

  it('item 17: a real runtime process pipelines /next behind each answer on one connection, one /next at a time', async () => {
    emulator = await RuntimeApiEmulator.start();
    emulator.spawn({ command: process.execPath, args: [fixture] });
    const results = [];
    for (let i = 0; i < 6; i += 1) {
      results.push(
        await emulator.invoke(i % 3 === 2 ? undefined : { i }, i % 3 === 2 ? { rawBody: '{' } : {}),
      );
    }
    const server = emulator;
    await until(() => server.requests.filter((r) => r.endpoint === 'next').length === 7);

    expect(results.map((r) => r.status)).toEqual([
      'success',
      'success',
      'error',
      'success',
      'success',
      'error',
    ]);
    expect(emulator.maxConcurrentNext).toBe(1);
    expect(new Set(emulator.requests.map((r) => r.connectionId)).size).toBe(1);
    const order = emulator.requests.map((r) => (r.endpoint === 'next' ? 'next' : 'answer'));
    expect(order).toEqual(['next', ...Array.from({ length: 6 }, () => ['answer', 'next']).flat()]);
  });
});
