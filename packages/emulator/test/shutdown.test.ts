import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { httpCall } from './support/http-call.js';

const fixture = fileURLToPath(new URL('./fixtures/extension-runtime.mjs', import.meta.url));

describe('RuntimeApiEmulator.shutdown', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function spawnFixture(env: Record<string, string> = {}) {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      cwd: dirname(fixture),
      env: { _HANDLER: 'fixture.handler', ...env },
    });
  }

  it('kills the runtime with SIGKILL at once when no extension is registered', async () => {
    const runtime = spawnFixture();
    await emulator.invoke({ n: 1 });

    const result = await emulator.shutdown({ budgetMs: 5_000 });

    expect(result).toEqual({
      code: null,
      signal: 'SIGKILL',
      sigtermAt: undefined,
      exitedAt: expect.any(Number),
    });
    expect(runtime.stdout).not.toContain('got SIGTERM');
  });

  it('sends SIGTERM and resolves with the clean exit when the runtime registered an internal extension', async () => {
    const runtime = spawnFixture({ FIXTURE_EXTENSION_EVENTS: '[]' });
    await emulator.invoke({ n: 1 });
    await emulator.waitForRequest((r) => r.endpoint === 'extension-next');
    const before = emulator.extensions;

    // A generous budget: on a loaded machine the child may need a while to run its SIGTERM handler.
    const result = await emulator.shutdown({ budgetMs: 10_000 });

    expect(before).toMatchObject([{ name: 'fixture-internal', events: [], parkedNext: true }]);
    expect(emulator.extensions[0]?.parkedNext).toBe(false);
    expect(runtime.stdout).toContain(
      'registered 200 {"functionName":"test_function","functionVersion":"$LATEST","handler":"fixture.handler"}',
    );
    expect(result).toEqual({
      code: 0,
      signal: null,
      sigtermAt: expect.any(Number),
      exitedAt: expect.any(Number),
    });
    expect(result.exitedAt).toBeGreaterThanOrEqual(result.sigtermAt ?? Number.POSITIVE_INFINITY);
    expect((await runtime.exited).code).toBe(0);
    expect(runtime.stdout).toContain('got SIGTERM\n');
    expect(runtime.stdout).not.toContain('extension event');
  });

  it('sends SIGKILL when the budget runs out and the runtime ignores SIGTERM', async () => {
    const runtime = spawnFixture({ FIXTURE_EXTENSION_EVENTS: '[]', FIXTURE_SIGTERM: 'ignore' });
    await emulator.invoke({ n: 1 });

    const result = await emulator.shutdown({ budgetMs: 1_500 });

    expect(result.signal).toBe('SIGKILL');
    expect(result.code).toBeNull();
    expect((result.exitedAt ?? 0) - (result.sigtermAt ?? 0)).toBeGreaterThanOrEqual(1_495);
    expect(runtime.stdout).toContain('got SIGTERM\n');
  });

  it('delivers SHUTDOWN with the reason to an external extension and SIGTERMs the runtime when one is registered', async () => {
    const registered = await httpCall(emulator.origin, '/2020-01-01/extension/register', {
      method: 'POST',
      headers: { 'Lambda-Extension-Name': 'external' },
      body: JSON.stringify({ events: ['SHUTDOWN'] }),
    });
    const event = httpCall(emulator.origin, '/2020-01-01/extension/event/next', {
      headers: { 'Lambda-Extension-Identifier': registered.headers['lambda-extension-identifier'] ?? '' },
    });
    const runtime = spawnFixture();
    await emulator.invoke({ n: 1 });

    const result = await emulator.shutdown({ budgetMs: 10_000, reason: 'timeout' });
    const delivered = await event;

    expect(delivered.json).toEqual({
      eventType: 'SHUTDOWN',
      shutdownReason: 'timeout',
      deadlineMs: expect.any(Number),
    });
    const { deadlineMs } = (delivered.json ?? {}) as { deadlineMs?: number };
    expect(deadlineMs).toBeGreaterThanOrEqual((result.sigtermAt ?? 0) + 10_000 - 50);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(runtime.stdout).toContain('got SIGTERM\n');
  });

  it('resolves with the earlier exit and sends no signal when the runtime has already exited', async () => {
    const runtime = spawnFixture();
    runtime.kill('SIGINT');
    const exit = await runtime.waitForExit();

    const result = await emulator.shutdown();

    expect(exit.signal).toBe('SIGINT');
    expect(result).toEqual({
      code: null,
      signal: 'SIGINT',
      sigtermAt: undefined,
      exitedAt: runtime.exitedAt,
    });
  });
});
