import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogLines, nextPolls } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/handler-styles.mjs', import.meta.url));
const initFixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));

describe('process-level faults in a real runtime process', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start(): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { FIXTURE_STYLE: 'async', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
  }

  function fatalLines(runtime: SpawnedRuntime): string[] {
    return jsonLogLines(runtime)
      .filter((line) => line.level === 'FATAL')
      .map((line) => line.message);
  }

  it('item 29: reports an uncaught exception during an invocation to /error for it, then exits non-zero', async () => {
    const runtime = start();
    const result = await emulator.invoke({ action: 'uncaught' });
    const exit = await runtime.waitForExit(5_000);

    expect(result.via).toBe('error');
    expect(result.error).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'thrown from a timer during the invocation',
    });
    expect(exit.code).toBe(1);
    expect(fatalLines(runtime)).toEqual([expect.stringContaining('Uncaught exception during an invocation')]);
    expect(nextPolls(emulator)).toHaveLength(1);
  });

  it('item 29: reports an unhandled rejection during an invocation as Runtime.UnhandledPromiseRejection, then exits', async () => {
    const runtime = start();
    const result = await emulator.invoke({ action: 'unhandled' });
    const exit = await runtime.waitForExit(5_000);

    expect(result.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(result.error?.errorMessage).toBe('TypeError: a rejection nobody handles');
    expect(result.error?.stackTrace.some((line) => line.includes('handler-styles.mjs'))).toBe(true);
    expect(exit.code).toBe(1);
    // The handler's own promise resolved later: it must not have produced a second answer.
    expect(
      emulator.requests.filter((r) => r.method === 'POST' && r.requestId === result.requestId),
    ).toHaveLength(1);
  });

  it('item 29: never answers twice when an exception escapes after the handler answered', async () => {
    const runtime = start();
    const result = await emulator.invoke({ action: 'answer-then-throw' });
    const exit = await runtime.waitForExit(5_000);

    expect(result.json()).toBe('answered');
    expect(exit.code).toBe(1);
    expect(
      emulator.requests.filter((r) => r.method === 'POST' && r.requestId === result.requestId),
    ).toHaveLength(1);
    expect(fatalLines(runtime)).toEqual([
      expect.stringContaining('Uncaught exception outside an invocation'),
    ]);
  });

  it('item 30: reports an unhandled rejection during init to /init/error, then exits non-zero', async () => {
    const runtime = emulator.spawn({
      command: process.execPath,
      args: [initFixture],
      env: { FIXTURE_MODE: 'init-unhandled' },
    });
    const exit = await runtime.waitForExit(5_000);
    expect(exit.code).toBe(1);
    expect(emulator.initError?.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(nextPolls(emulator)).toHaveLength(0);
  });

  it('items 30, 31: reports an exception thrown after init but before the first /next to /init/error, then exits non-zero', async () => {
    const runtime = emulator.spawn({
      command: process.execPath,
      args: [initFixture],
      env: { FIXTURE_MODE: 'uncaught-after-init' },
    });

    const exit = await runtime.waitForExit(5_000);

    expect(exit.code).toBe(1);
    expect(emulator.initError).toMatchObject({
      errorType: 'Error',
      errorMessage: 'thrown between init and the first /next',
    });
    expect(nextPolls(emulator)).toHaveLength(0);
  });

  it('answers Runtime.HandlerNeverSettled when the event loop drains under a pending handler promise, and goes on', async () => {
    const runtime = start();
    const result = await emulator.invoke({ action: 'never' });
    expect(result.errorType).toBe('Runtime.HandlerNeverSettled');
    expect(result.error?.errorMessage).toContain('never settled');

    const next = await emulator.invoke({ value: 1 });
    expect(next.status).toBe('success');
    expect(runtime.pid).toBeGreaterThan(0);
  });

  it('exits at once with the code given to process.exit() inside a handler', async () => {
    const runtime = start();
    const invoked = emulator.invoke({ action: 'exit' });
    const exit = await runtime.waitForExit(3_000);
    const result = await invoked;

    expect(exit.code).toBe(7);
    expect(result.via).toBe('exit');
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
