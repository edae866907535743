import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClosedError } from '../src/emulator-closed-error.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';

const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));
const fixtures = dirname(fixture);

describe('SpawnedRuntime', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'fixture' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  function spawnFixture(env?: Record<string, string | undefined>) {
    return emulator.spawn({ command: process.execPath, args: [fixture], cwd: fixtures, env });
  }

  it('serves invocations from a real runtime process and collects its output', async () => {
    const runtime = spawnFixture();

    const first = await emulator.invoke({ n: 1 });
    const second = await emulator.invoke({ action: 'fail', message: 'on purpose' });
    const third = await emulator.invoke({ n: 3 });

    expect(first.json()).toMatchObject({ event: { n: 1 }, requestId: first.requestId });
    expect(second).toMatchObject({ status: 'error', via: 'error', errorType: 'FixtureError' });
    expect(second.error?.errorMessage).toBe('on purpose');
    expect(third.json()).toMatchObject({ event: { n: 3 } });
    expect(runtime.pid).toBeGreaterThan(0);
    expect(runtime.stdout).toContain('fixture runtime ready\n');
    expect(runtime.stdout).toContain(`handling echo ${third.requestId}`);
    expect(runtime.stderr).toBe('fixture runtime stderr\n');
    expect(emulator.maxConcurrentNext).toBe(1);
  });

  it('resolves an invocation only once the output the runtime wrote before answering has been read', async () => {
    const runtime = spawnFixture();

    // Far more than a pipe holds (64 KiB), so the output is still being read when the answer comes.
    for (let i = 0; i < 5; i += 1) {
      const result = await emulator.invoke({ action: 'chatty', lines: 4000 });
      expect(result.via).toBe('response');
      // Read at once, before any other await.
      expect(runtime.stdout).toContain(`${result.requestId} stdout line 4000\n`);
      expect(runtime.stderr).toContain(`${result.requestId} stderr line 4000\n`);
    }
  });

  it('gives the process the emulator environment without the parent’s unrelated variables', async () => {
    process.env.EMULATOR_TEST_SHOULD_NOT_LEAK = 'leaked';
    let result: Awaited<ReturnType<RuntimeApiEmulator['invoke']>>;
    try {
      spawnFixture({ _HANDLER: 'index.handler', AWS_LAMBDA_INITIALIZATION_TYPE: undefined });
      result = await emulator.invoke({ action: 'env' });
    } finally {
      delete process.env.EMULATOR_TEST_SHOULD_NOT_LEAK;
    }

    const { env, cwd } = result.json<{ env: Record<string, string>; cwd: string }>();
    expect(env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: emulator.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'fixture',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3008',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fixture',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      LAMBDA_TASK_ROOT: fixtures,
      TZ: ':UTC',
      _HANDLER: 'index.handler',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env).not.toHaveProperty('AWS_LAMBDA_INITIALIZATION_TYPE');
    expect(env).not.toHaveProperty('EMULATOR_TEST_SHOULD_NOT_LEAK');
    expect(env).not.toHaveProperty('VITEST');
    expect(cwd).toBe(fixtures);
  });

  it('resolves with Runtime.ExitError when the process exits in the middle of an invocation', async () => {
    const runtime = spawnFixture();

    const result = await emulator.invoke({ action: 'exit', code: 7 });
    const exit = await runtime.waitForExit();

    expect(result).toMatchObject({ status: 'error', via: 'exit', errorType: 'Runtime.ExitError' });
    expect(result.error?.errorMessage).toBe(
      `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 7`,
    );
    expect(exit).toEqual({ code: 7, signal: null });
  });

  it('resolves later invocations with Runtime.ExitError at once when the runtime is gone', async () => {
    const runtime = spawnFixture();
    await emulator.invoke({ action: 'exit', code: 2 });
    await runtime.exited;

    const result = await emulator.invoke({});

    expect(result.errorType).toBe('Runtime.ExitError');
  });

  it('resolves with the init error and sees the process exit non-zero when init fails', async () => {
    const runtime = spawnFixture({ FIXTURE_INIT_ERROR: 'no config' });

    const result = await emulator.invoke({});
    const exit = await runtime.waitForExit();

    expect(result).toMatchObject({ via: 'init-error', errorType: 'FixtureInitError' });
    expect(result.error?.errorMessage).toBe('no config');
    expect(emulator.initError?.errorTypeHeader).toBe('FixtureInitError');
    expect(exit.code).toBe(1);
    expect(runtime.stdout).toContain('init error posted: 202');
  });

  it('reports Runtime.InvalidEntrypoint when the command cannot be started', async () => {
    const runtime = emulator.spawn({ command: `${fixtures}/does-not-exist` });

    const exit = await runtime.waitForExit();
    const result = await emulator.invoke({});

    expect(exit).toEqual({ code: null, signal: null });
    expect(runtime.spawnError?.message).toContain('ENOENT');
    expect(result.errorType).toBe('Runtime.InvalidEntrypoint');
  });

  it('reports the signal when the process is killed', async () => {
    const runtime = spawnFixture();
    await emulator.waitForRequest((request) => request.endpoint === 'next');

    runtime.kill('SIGKILL');
    const exit = await runtime.waitForExit();

    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('rejects waitForExit when the process is still running after the timeout', async () => {
    spawnFixture();
    const runtime = emulator.runtimes[0];

    await expect(runtime?.waitForExit(50)).rejects.toThrow(/did not exit within 50 ms/);
  });

  it('stops a runtime busy in an invocation and rejects the invocation when the emulator closes', async () => {
    const runtime = spawnFixture();
    const outcome = emulator.invoke({ action: 'hang' }).catch((error: unknown) => error);
    await emulator.waitForRequest((request) => request.endpoint === 'next' && request.seq === 2);

    await emulator.close();

    expect(await outcome).toBeInstanceOf(EmulatorClosedError);
    expect(runtime.exit).toEqual({ code: null, signal: 'SIGTERM' });
  });
});
