import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmiRuntimeApi } from './lmi-runtime-api.js';
import { nextPolls, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/deadline-signal.mjs', import.meta.url));
const TIMEOUT_SECONDS = 1;

/** An HTTP endpoint that accepts connections and never answers; records each request line. */
class SilentServer {
  readonly sockets: Socket[] = [];
  readonly requests: string[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<SilentServer> {
    const server = createServer();
    const silent = new SilentServer(server);
    server.on('connection', (socket) => {
      silent.sockets.push(socket);
      socket.on('data', (chunk: Buffer) => {
        silent.requests.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return silent;
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}/slow`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

interface FetchOutcome {
  aborted: boolean;
  name: string;
  errorType: string;
  requestId: string;
  deadlineMs: number;
  isSignalReason: boolean;
  remainingMs: number;
  contextDeadlineMs: number;
}

/** The handler's fetch was aborted by `context.signal` at the invocation's deadline, never before it. */
function expectAbortedAtDeadline(outcome: FetchOutcome, requestId: string): void {
  expect(outcome).toMatchObject({
    aborted: true,
    name: 'TimeoutError',
    errorType: 'Runtime.DeadlineExceeded',
    requestId,
    deadlineMs: outcome.contextDeadlineMs,
    isSignalReason: true,
  });
  expect(outcome.remainingMs).toBeLessThanOrEqual(0);
}

describe('context.signal, against a real runtime process', () => {
  let emulator: RuntimeApiEmulator;
  let silent: SilentServer;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ timeoutSeconds: TIMEOUT_SECONDS });
    silent = await SilentServer.start();
  });

  afterEach(async () => {
    await emulator.close();
    await silent.close();
  });

  function start(env: Record<string, string> = {}): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', ...env },
    });
  }

  it('aborts a fetch that never gets an answer at the deadline, answers the invocation and serves the next one', async () => {
    start();

    const stuck = await emulator.invoke({ fetch: silent.url });
    const next = await emulator.invoke({ after: 'deadline' });

    const outcome = stuck.json() as FetchOutcome;
    expect(stuck.status).toBe('success');
    expectAbortedAtDeadline(outcome, stuck.requestId);
    // The fetch was in flight, waiting on the silent server, when the deadline came.
    expect(silent.requests).toEqual(['GET /slow HTTP/1.1']);
    expect(next.status).toBe('success');
    expect(next.json()).toEqual({ id: next.requestId });
  });

  it('item 48: never aborts a signal whose invocation was answered, across a freeze longer than its deadline', async () => {
    const runtime = start();
    const answered = await emulator.invoke({ listen: true });
    await until(() => nextPolls(emulator).length === 2);

    runtime.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_SECONDS * 1_000 + 500));
    runtime.kill('SIGCONT');
    const after = await emulator.invoke({ after: 'thaw' });

    expect(answered.json()).toEqual({ listening: true });
    expect(after.json()).toEqual({ id: after.requestId });
    expect(runtime.stdout).not.toContain('SIGNAL_ABORTED_AFTER_ANSWER');
  });
});

describe('context.signal under Lambda Managed Instances, against a real runtime process', () => {
  let api: LmiRuntimeApi;
  let silent: SilentServer;

  beforeEach(async () => {
    api = await LmiRuntimeApi.start();
    silent = await SilentServer.start();
  });

  afterEach(async () => {
    await api.close();
    await silent.close();
  });

  it.each([
    ['in one process', {}],
    ['across worker threads', { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }],
  ])(
    'aborts a stuck fetch at its deadline while other invocations run, answers it and frees its poller (%s)',
    async (_mode, extra: Record<string, string>) => {
      api.spawn([fixture], api.environment(2, { AWS_LAMBDA_LOG_FORMAT: 'JSON', ...extra }));
      await api.waitForParked(2);

      const stuck = api.invoke({ fetch: silent.url }, { deadlineMs: Date.now() + 1_000 });
      const alongside = api.invoke({ alongside: true });
      const alongsideAnswer = await alongside.answered;
      const stuckAnswer = await stuck.answered;
      await api.waitForParked(2);
      const after = [api.invoke({ after: 1 }), api.invoke({ after: 2 })];
      const afterAnswers = await Promise.all(after.map((invocation) => invocation.answered));

      const outcome = JSON.parse(stuckAnswer.body) as FetchOutcome;
      // The other invocation ran and was answered while the fetch waited.
      expect(api.answers.slice(0, 2).map((answer) => answer.requestId)).toEqual([
        alongside.requestId,
        stuck.requestId,
      ]);
      expect(JSON.parse(alongsideAnswer.body)).toEqual({ id: alongside.requestId });
      expect(stuckAnswer.via).toBe('response');
      expectAbortedAtDeadline(outcome, stuck.requestId);
      expect(silent.requests).toEqual(['GET /slow HTTP/1.1']);
      expect(afterAnswers.map((answer) => JSON.parse(answer.body))).toEqual(
        after.map((invocation) => ({ id: invocation.requestId })),
      );
    },
  );
});
