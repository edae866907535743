import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextPolls, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));

describe('defaultRuntime', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function spawn(env: Record<string, string | undefined> = {}): SpawnedRuntime {
    return emulator.spawn({ command: process.execPath, args: [fixture], env });
  }

  function stdoutJson(runtime: SpawnedRuntime): Array<Record<string, unknown>> {
    return runtime.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('item 1: exits non-zero with one clear line when AWS_LAMBDA_RUNTIME_API is unset', async () => {
    const runtime = spawn({ AWS_LAMBDA_RUNTIME_API: undefined });

    const exit = await runtime.waitForExit(10_000);

    expect(exit.code).toBe(1);
    const lines = runtime.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('AWS_LAMBDA_RUNTIME_API');
    expect(emulator.requests).toEqual([]);
  });

  it('items 1, 6: prefixes every call with /2018-06-01 and sends a User-Agent', async () => {
    const runtime = spawn();

    const result = await emulator.invoke({ key: 'a' });
    await until(() => nextPolls(emulator).length === 2);
    runtime.kill('SIGTERM');
    await runtime.waitForExit(5_000);

    expect(result.json()).toEqual({ id: result.requestId, echo: { key: 'a' } });
    for (const request of emulator.requests) {
      expect(request.path.startsWith('/2018-06-01/runtime/')).toBe(true);
      expect(request.headers['user-agent']).toMatch(/^lambda-runtime\/\d+\.\d+\.\d+ node\//);
    }
  });

  it('item 3: calls /next only after the initializer has finished', async () => {
    const runtime = spawn({ FIXTURE_MODE: 'slow-init' });

    const result = await emulator.invoke({});
    runtime.kill('SIGTERM');
    await runtime.waitForExit(5_000);

    const initDoneAt = Number(/INIT_DONE_AT=(\d+)/.exec(runtime.stdout)?.[1]);
    expect(result.status).toBe('success');
    expect(Number.isFinite(initDoneAt)).toBe(true);
    expect(nextPolls(emulator)[0]?.receivedAt).toBeGreaterThanOrEqual(initDoneAt);
  });

  it.each([
    ['init-throws', 'TypeError', 'cannot open table'],
    ['init-rejects', 'Error', 'rejected during init'],
    ['not-a-function', 'Runtime.HandlerNotFound', 'number'],
    ['init-uncaught', 'Error', 'thrown from a timer during init'],
  ])(
    'items 30, 31: posts /init/error then exits non-zero when init fails (%s)',
    async (mode, errorType, message) => {
      const runtime = spawn({ FIXTURE_MODE: mode });

      const exit = await runtime.waitForExit(10_000);

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const posts = emulator.requests.filter((r) => r.endpoint === 'init-error');
      expect(posts).toHaveLength(1);
      expect(posts[0]?.status).toBe(202);
      expect(posts[0]?.headers['content-type']).toBe('application/json');
      expect(posts[0]?.headers['lambda-runtime-function-error-type']).toBe(errorType);
      const body = JSON.parse(posts[0]?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
      expect(body.errorType).toBe(errorType);
      expect(body.errorMessage).toContain(message);
      expect(Array.isArray(body.stackTrace)).toBe(true);
      expect(nextPolls(emulator)).toEqual([]);
    },
  );

  it('item 31: never calls /init/error once the first /next was made', async () => {
    const runtime = spawn();

    await emulator.invoke({});
    emulator.failNext('next', 500);
    await emulator.invoke({}).catch(() => undefined);
    await runtime.waitForExit(5_000);

    expect(emulator.requests.filter((r) => r.endpoint === 'init-error')).toEqual([]);
  });

  it('item 8: exits promptly and non-zero on a 500 from /next', async () => {
    emulator.failNext('next', 500);

    const runtime = spawn();
    const exit = await runtime.waitForExit(5_000);

    expect(exit.code).toBe(1);
    expect(runtime.stdout + runtime.stderr).toContain('500');
  });

  it('exits 0 on SIGTERM while waiting for an invocation', async () => {
    const runtime = spawn();
    await until(() => nextPolls(emulator).length === 1);

    runtime.kill('SIGTERM');
    const exit = await runtime.waitForExit(5_000);

    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('items 51, 52: writes JSON log lines carrying the request id, one line per multi-line message', async () => {
    const runtime = spawn({ AWS_LAMBDA_LOG_FORMAT: 'json' });

    const result = await emulator.invoke({ key: 'k' });
    runtime.kill('SIGTERM');
    await runtime.waitForExit(5_000);

    const lines = stdoutJson(runtime);
    const multiLine = lines.find((line) => line.message === 'line one\nline two');
    const fromConsole = lines.find((line) => line.message === `from console ${result.requestId}`);
    expect(multiLine).toMatchObject({ level: 'INFO', requestId: result.requestId });
    expect(Number.isNaN(Date.parse(String(multiLine?.timestamp)))).toBe(false);
    expect(fromConsole?.requestId).toBe(result.requestId);
    expect(lines.find((line) => line.message === 'initializing')?.requestId).toBeUndefined();
  });
});
