import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogLines, nextPolls, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/shutdown.mjs', import.meta.url));

describe('shutdown', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start(env: Record<string, string>): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', ...env },
    });
  }

  function messages(runtime: SpawnedRuntime): string[] {
    return jsonLogLines(runtime).map((line) => line.message);
  }

  it('item 47: registers an internal extension with no events and parks its event/next before the first /next', async () => {
    start({ FIXTURE_HOOK: 'quick' });
    await emulator.invoke({});

    expect(emulator.extensions).toHaveLength(1);
    expect(emulator.extensions[0]).toMatchObject({ events: [], parkedNext: true });
    const parkedAt = emulator.requests.findIndex((r) => r.path === '/2020-01-01/extension/event/next');
    const registeredAt = emulator.requests.findIndex((r) => r.path === '/2020-01-01/extension/register');
    const firstNextAt = emulator.requests.findIndex((r) => r.endpoint === 'next');
    expect(registeredAt).toBeGreaterThanOrEqual(0);
    expect(parkedAt).toBeGreaterThan(registeredAt);
    expect(firstNextAt).toBeGreaterThan(parkedAt);
  });

  it('item 47: registers no extension when nothing asked for SIGTERM', async () => {
    start({});
    await emulator.invoke({});
    expect(emulator.extensions).toHaveLength(0);
    expect(emulator.requests.filter((r) => r.path.startsWith('/2020-01-01/'))).toHaveLength(0);
  });

  it('item 47: registers the extension when asked with receiveSigterm and no hook', async () => {
    start({ FIXTURE_SIGTERM: 'yes' });
    await emulator.invoke({});
    expect(emulator.extensions).toMatchObject([{ events: [], parkedNext: true }]);
  });

  it('item 46: on SIGTERM stops polling, runs the hooks, flushes logs and exits 0', async () => {
    const runtime = start({ FIXTURE_HOOK: 'quick' });
    await emulator.invoke({});
    await until(() => nextPolls(emulator).length === 2);

    const exit = await emulator.shutdown({ budgetMs: 2_000 });

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(runtime.stdout).toContain('HOOK_DONE');
    expect(messages(runtime)).toContain('SIGTERM received, shutting down');
    expect(nextPolls(emulator)).toHaveLength(2);
  });

  it('item 46: a hook that hangs does not keep the process alive past the bound', async () => {
    const runtime = start({ FIXTURE_HOOK: 'hang' });
    await emulator.invoke({});

    // The emulator would SIGKILL after 5 s; exiting by itself with 0 means the bound held.
    const exit = await emulator.shutdown({ budgetMs: 5_000 });

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(runtime.stdout).toContain('HOOK_STARTED');
    expect(runtime.stdout).toContain('HOOK_ABORTED');
    expect(messages(runtime)).toContain('Shutdown did not finish within 300 ms; exiting anyway');
  });

  it('item 46: logs a failing hook, still runs the others and exits 0', async () => {
    const runtime = start({ FIXTURE_HOOK: 'throws' });
    await emulator.invoke({});

    const exit = await emulator.shutdown({ budgetMs: 2_000 });

    expect(exit.code).toBe(0);
    expect(runtime.stdout).toContain('SECOND_HOOK_DONE');
    expect(messages(runtime)).toContain('A shutdown hook failed');
  });

  it('item 46: lets an invocation in flight answer before exiting', async () => {
    const runtime = start({ FIXTURE_HOOK: 'quick' });
    await emulator.invoke({});
    const slow = emulator.invoke({ sleepMs: 150 });
    await until(() => nextPolls(emulator).length === 2 && emulator.requests.at(-1)?.endpoint === 'next');
    await new Promise((resolve) => setTimeout(resolve, 30));

    const exit = await emulator.shutdown({ budgetMs: 2_000 });

    expect((await slow).json()).toEqual({ slept: 150 });
    expect(exit.code).toBe(0);
    expect(runtime.stdout).toContain('HOOK_DONE');
  });
});
