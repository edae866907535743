import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonLogLine, jsonLogLines, nextPolls, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));
const shutdownFixture = fileURLToPath(new URL('./fixtures/shutdown.mjs', import.meta.url));

describe('Runtime API faults, against a real runtime process', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start(env: Record<string, string> = {}): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', ...env },
    });
  }

  const logLines = jsonLogLines;

  function fatal(runtime: SpawnedRuntime): JsonLogLine[] {
    return jsonLogLines(runtime).filter((line) => line.level === 'FATAL');
  }

  it.each([
    ['next', 502],
    ['next', 503],
    ['response', 500],
    ['error', 500],
  ] as const)(
    'item 8: exits promptly, non-zero, with one clear line on a %s answered %i',
    async (endpoint, status) => {
      const runtime = start();
      if (endpoint !== 'next') await emulator.invoke({ warm: true });
      emulator.failNext(endpoint, status);

      // A function error makes the runtime call /error; anything else calls /response.
      const invoked = emulator.invoke(endpoint === 'error' ? { fail: true } : {}, {
        rawBody: endpoint === 'error' ? '{' : undefined,
      });
      const exit = await runtime.waitForExit(5_000);
      await invoked.catch(() => undefined);

      expect(exit.code).toBe(1);
      expect(fatal(runtime)).toHaveLength(1);
      expect(fatal(runtime)[0]?.message).toContain(`answered ${status}`);
    },
  );

  it('item 8: exits non-zero when /init/error itself is answered 500', async () => {
    emulator.failNext('init-error', 500);
    const runtime = start({ FIXTURE_MODE: 'init-throws' });
    const exit = await runtime.waitForExit(5_000);
    expect(exit.code).toBe(1);
    expect(logLines(runtime).some((line) => line.message === 'Could not report the init error')).toBe(true);
  });

  it('retries a /next whose connection was reset, and goes on', async () => {
    emulator.resetNext();
    const runtime = start();
    const result = await emulator.invoke({ after: 'reset' });

    expect(result.status).toBe('success');
    const retries = logLines(runtime).filter((line) => line.message.includes('retrying in'));
    expect(retries).toHaveLength(1);
    expect(retries[0]?.level).toBe('WARN');
  });

  it('recovers when the Runtime API refuses connections for a moment', async () => {
    const runtime = start();
    await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);
    await emulator.stopListening();
    await until(() => logLines(runtime).some((line) => line.message.includes('retrying in')));
    await emulator.resumeListening();

    const result = await emulator.invoke({ after: 'refused' });
    expect(result.status).toBe('success');
    expect(runtime.pid).toBeGreaterThan(0);
  });

  it('gives up with bounded retries and exits non-zero when connections stay refused', async () => {
    const runtime = start();
    await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);
    await emulator.stopListening();

    const exit = await runtime.waitForExit(10_000);

    expect(exit.code).toBe(1);
    const retries = logLines(runtime).filter((line) => line.message.includes('retrying in'));
    expect(retries).toHaveLength(5);
    expect(fatal(runtime)).toHaveLength(1);
    expect(fatal(runtime)[0]?.message).toContain('ECONNREFUSED');
  });

  it('item 7: processes a /next that is answered only after a long wait', async () => {
    start();
    emulator.delayNext(3_000);
    const result = await emulator.invoke({ waited: true }, { timeoutMs: 20_000 });
    expect(result.status).toBe('success');
    expect((result.json() as { echo: unknown }).echo).toEqual({ waited: true });
  });

  it('item 48: works after being frozen between invocations (SIGSTOP while parked, then SIGCONT)', async () => {
    const runtime = start();
    await emulator.invoke({ before: 'freeze' });
    await until(() => nextPolls(emulator).length === 2);

    runtime.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const queued = emulator.invoke({ after: 'thaw' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    runtime.kill('SIGCONT');

    const result = await queued;
    expect((result.json() as { echo: unknown }).echo).toEqual({ after: 'thaw' });
    await until(() => nextPolls(emulator).length === 3);
    expect(runtime.stdout).not.toContain('"FATAL"');
  });

  it('answers a /next without Content-Type as JSON and one with an empty body, without crashing', async () => {
    const runtime = start();
    const untyped = await emulator.invoke({ typed: false }, { contentType: null });
    expect((untyped.json() as { echo: unknown }).echo).toEqual({ typed: false });

    const empty = await emulator.invoke(undefined, { rawBody: '' });
    expect(empty.status).toBe('success');
    expect(empty.json()).toEqual({ id: empty.requestId });
    expect(runtime.pid).toBeGreaterThan(0);
    expect(fatal(runtime)).toHaveLength(0);
  });

  it('item 16: exits non-zero on a /next without a request id, never answering it', async () => {
    const runtime = start();
    const invoked = emulator.invoke({}, { extraHeaders: { 'Lambda-Runtime-Aws-Request-Id': '' } });
    const exit = await runtime.waitForExit(5_000);
    await invoked.catch(() => undefined);

    expect(exit.code).toBe(1);
    expect(fatal(runtime)[0]?.message.toLowerCase()).toContain('lambda-runtime-aws-request-id');
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('item 46: exits 0 on a plain SIGTERM while parked in /next', async () => {
    const runtime = emulator.spawn({
      command: process.execPath,
      args: [shutdownFixture],
      env: { FIXTURE_HOOK: 'quick' },
    });
    await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);
    runtime.kill('SIGTERM');
    const exit = await runtime.waitForExit(5_000);
    expect(exit.code).toBe(0);
    expect(runtime.stdout).toContain('HOOK_DONE');
  });
});
