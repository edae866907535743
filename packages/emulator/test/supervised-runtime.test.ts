import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../src/emulator-options.js';
import { InvokeTimeoutError } from '../src/invoke-timeout-error.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { httpCall } from './support/http-call.js';
import {
  CapturedOutput,
  FixtureControls,
  isRunning,
  supervisedFixture,
  waitUntilGone,
} from './support/supervised.js';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

describe('RuntimeApiEmulator in supervised mode', () => {
  let emulator: RuntimeApiEmulator | undefined;
  let controls: FixtureControls | undefined;

  afterEach(async () => {
    await emulator?.close();
    controls?.remove();
    emulator = undefined;
    controls = undefined;
  });

  async function startSupervised(
    options: EmulatorOptions = {},
    env: Record<string, string> = {},
  ): Promise<{ emulator: RuntimeApiEmulator; output: CapturedOutput; controls: FixtureControls }> {
    controls = new FixtureControls();
    const output = new CapturedOutput();
    emulator = await RuntimeApiEmulator.start({
      functionName: 'supervised',
      memorySizeMb: 256,
      timeoutSeconds: 5,
      colour: false,
      ...options,
      output,
      runtime: {
        command: process.execPath,
        args: [supervisedFixture],
        env: { FIXTURE_DIR: controls.dir, ...env },
      },
    });
    return { emulator, output, controls };
  }

  function startSupervisedWith(setup: (controls: FixtureControls) => void, options: EmulatorOptions = {}) {
    controls = new FixtureControls();
    setup(controls);
    const dir = controls.dir;
    const output = new CapturedOutput();
    return RuntimeApiEmulator.start({
      timeoutSeconds: 5,
      colour: false,
      ...options,
      output,
      runtime: { command: process.execPath, args: [supervisedFixture], env: { FIXTURE_DIR: dir } },
    }).then((started) => {
      emulator = started;
      return { emulator: started, output, controls: controls as FixtureControls };
    });
  }

  it('prints START, the runtime output in order, END and REPORT, with Init Duration on the cold start only', async () => {
    const { emulator, output } = await startSupervised();

    const first = await emulator.invoke({ action: 'log' });
    const second = await emulator.invoke({ action: 'log' });

    expect(first.status).toBe('success');
    const lines = output.lines;
    const start = lines.indexOf(`START RequestId: ${first.requestId} Version: $LATEST`);
    const end = lines.indexOf(`END RequestId: ${first.requestId}`);
    expect(start).toBeGreaterThan(-1);
    expect(lines.slice(start + 1, end)).toEqual(['handling log', 'line one', 'line two', 'line three']);
    expect(lines[end + 1]).toMatch(
      new RegExp(
        `^REPORT RequestId: ${first.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: [1-9]\\d* MB\\tInit Duration: \\d+\\.\\d{2} ms\\t$`,
      ),
    );
    const secondReport = lines.find((line) => line.startsWith(`REPORT RequestId: ${second.requestId}`));
    expect(secondReport).toBeDefined();
    expect(secondReport).not.toContain('Init Duration');
  });

  it('bills the Init Duration with the Duration, rounded up to the millisecond, on a cold start', async () => {
    const { emulator, output } = await startSupervised();

    const result = await emulator.invoke({});

    const report =
      output.lines.find((line) => line.startsWith(`REPORT RequestId: ${result.requestId}`)) ?? '';
    const [, duration, billed, init] =
      /Duration: ([\d.]+) ms\tBilled Duration: (\d+) ms.*Init Duration: ([\d.]+) ms/.exec(report) ?? [];
    expect(Number(billed)).toBe(Math.ceil(Number(duration) + Number(init)));
  });

  it('answers an init failure with the runtime’s error document and initialises a new process on the next invoke', async () => {
    const { emulator, output, controls } = await startSupervisedWith((c) =>
      c.set('init-error', 'Cannot find module index'),
    );

    const failed = await httpCall(emulator.origin, INVOKE_PATH, { method: 'POST', body: '{}' });
    controls.clear('init-error');
    const fixed = await httpCall(emulator.origin, INVOKE_PATH, { method: 'POST', body: '{}' });

    expect(failed.status).toBe(200);
    expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(failed.json).toEqual({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: 'Cannot find module index',
      stackTrace: [],
    });
    expect(fixed.status).toBe(200);
    expect(fixed.headers['x-amz-function-error']).toBeUndefined();
    expect(fixed.json).toMatchObject({ version: 'v1' });
    expect(output.text).toMatch(
      /INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError\t/,
    );
    expect(output.text).toContain('init failing: Cannot find module index');
  });

  it('ends the invocation with Runtime.ExitError when the runtime exits mid-invoke, then re-initialises', async () => {
    const { emulator, output } = await startSupervised();
    const firstPid = (await emulator.invoke({})).json<{ pid: number }>().pid;

    const crashed = await httpCall(emulator.origin, INVOKE_PATH, {
      method: 'POST',
      body: JSON.stringify({ action: 'exit', code: 7 }),
    });
    const after = await emulator.invoke({});

    expect(crashed.status).toBe(200);
    expect(crashed.headers['x-amz-function-error']).toBe('Unhandled');
    const requestId = crashed.headers['x-amzn-requestid'];
    expect(crashed.json).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 7`,
    });
    expect(after.status).toBe('success');
    expect(after.json<{ pid: number }>().pid).not.toBe(firstPid);
    expect(output.text).toMatch(
      new RegExp(`REPORT RequestId: ${requestId}\\t.*\\tStatus: error\\tError Type: Runtime\\.ExitError\\t`),
    );
  });

  it('kills what a crashed runtime left running in its process group', async () => {
    const { emulator, output } = await startSupervised();

    const result = await emulator.invoke({ action: 'child-then-exit' });
    const childPid = Number(/child (\d+)/.exec(output.text)?.[1]);
    await waitUntilGone(childPid);

    expect(result.errorType).toBe('Runtime.ExitError');
    expect(isRunning(childPid)).toBe(false);
  });

  it('words a runtime killed by a signal as Lambda does (signal: killed)', async () => {
    const { emulator } = await startSupervised();

    const result = await emulator.invoke({ action: 'kill-self' });

    expect(result.error?.errorMessage).toBe(
      `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
    );
  });

  it('SIGKILLs the runtime’s process group at the timeout, answers Sandbox.Timedout and re-initialises', async () => {
    const { emulator, output } = await startSupervised({ timeoutSeconds: 1 });
    const runtimePid = (await emulator.invoke({})).json<{ pid: number }>().pid;

    const timedOut = await httpCall(emulator.origin, INVOKE_PATH, {
      method: 'POST',
      body: JSON.stringify({ action: 'child' }),
    });
    const childPid = Number(/child (\d+)/.exec(output.text)?.[1]);
    await waitUntilGone(childPid);
    const after = await emulator.invoke({});

    const requestId = timedOut.headers['x-amzn-requestid'];
    expect(timedOut.status).toBe(200);
    expect(timedOut.headers['x-amz-function-error']).toBe('Unhandled');
    expect(timedOut.json).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(isRunning(runtimePid)).toBe(false);
    expect(isRunning(childPid)).toBe(false);
    expect(after.status).toBe('success');
    expect(after.json<{ pid: number }>().pid).not.toBe(runtimePid);
    expect(output.text).toMatch(
      new RegExp(`Z ${requestId} Task timed out after 1\\.00 seconds\\nEND RequestId: ${requestId}\\n`),
    );
    expect(output.text).toMatch(new RegExp(`REPORT RequestId: ${requestId}\\t.*\\tStatus: timeout\\t`));
  });

  it('abandons an Init longer than initTimeoutMs and re-runs it inside the first invoke, under its timeout (suppressed init)', async () => {
    const { emulator, output } = await startSupervisedWith((c) => c.set('init-delay-ms', '800'), {
      initTimeoutMs: 300,
      timeoutSeconds: 5,
    });

    const result = await emulator.invoke({});

    expect(result.status).toBe('success');
    expect(output.text).toMatch(/INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: timeout\t/);
    expect(output.text.match(/^init \d+$/gm)).toHaveLength(2);
    const lines = output.lines;
    const start = lines.indexOf(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(lines[start + 1]).toMatch(/^init \d+$/);
    const report = lines.find((line) => line.startsWith(`REPORT RequestId: ${result.requestId}`)) ?? '';
    expect(report).not.toContain('Init Duration');
    expect(Number(/Duration: ([\d.]+) ms/.exec(report)?.[1])).toBeGreaterThanOrEqual(800);
    // The deadline the runtime saw was set when the invoke phase began, before its Init.
    expect(result.json<{ remainingMs: number }>().remainingMs).toBeLessThanOrEqual(5_000 - 800);
  });

  it('times out a suppressed init that outlasts the function timeout', async () => {
    const { emulator } = await startSupervisedWith((c) => c.set('init-delay-ms', '60000'), {
      initTimeoutMs: 200,
      timeoutSeconds: 0.5,
    });

    const result = await emulator.invoke({});

    expect(result).toMatchObject({ status: 'error', via: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(result.error?.errorMessage).toBe(
      `RequestId: ${result.requestId} Error: Task timed out after 0.50 seconds`,
    );
  });

  it('answers Runtime.InvalidEntrypoint, and tries again on the next invoke, when the command cannot be started', async () => {
    const output = new CapturedOutput();
    emulator = await RuntimeApiEmulator.start({
      colour: false,
      output,
      runtime: { command: '/nonexistent/bootstrap' },
    });

    const first = await emulator.invoke({});
    const second = await emulator.invoke({});

    expect(first).toMatchObject({ status: 'error', via: 'exit', errorType: 'Runtime.InvalidEntrypoint' });
    expect(second.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(output.text).toContain(
      '[lambda-runtime-emulator] the runtime could not be started (spawn /nonexistent/bootstrap ENOENT)',
    );
  });

  it('carries X-Amz-Function-Error: Unhandled on a function error and keeps the same process', async () => {
    const { emulator } = await startSupervised();
    const before = (await emulator.invoke({})).json<{ pid: number }>().pid;

    const failed = await httpCall(emulator.origin, INVOKE_PATH, {
      method: 'POST',
      body: '{"action":"fail"}',
    });
    const after = (await emulator.invoke({})).json<{ pid: number }>().pid;

    expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(failed.json).toMatchObject({ errorType: 'OrderError', errorMessage: 'no such order' });
    expect(after).toBe(before);
  });

  it('does not kill the runtime at the deadline in Managed Instances mode: only the caller stops waiting', async () => {
    const { emulator, output } = await startSupervised({ maxConcurrency: 1, timeoutSeconds: 0.5 });
    const pid = (await emulator.invoke({})).json<{ pid: number }>().pid;

    const late = emulator.invoke({ action: 'sleep', ms: 1_000 });
    await expect(late).rejects.toBeInstanceOf(InvokeTimeoutError);
    const after = await emulator.invoke({});

    expect(after.json<{ pid: number }>().pid).toBe(pid);
    expect(output.text).not.toContain('Task timed out');
  });

  it('restartRuntime lets the invocation in flight finish on the old code and runs later invokes on the new', async () => {
    const { emulator, output, controls } = await startSupervised();
    const oldPid = (await emulator.invoke({})).json<{ pid: number }>().pid;

    const inFlight = emulator.invoke({ action: 'sleep', ms: 300 });
    await output.waitFor('handling sleep');
    controls.set('version', 'v2');
    const restarted = emulator.restartRuntime();
    const waiting = emulator.invoke({});
    const [slept, , fresh] = await Promise.all([inFlight, restarted, waiting]);

    expect(slept.json()).toEqual({ slept: 300, version: 'v1' });
    expect(fresh.json()).toMatchObject({ version: 'v2' });
    expect(fresh.json<{ pid: number }>().pid).not.toBe(oldPid);
    expect(isRunning(oldPid)).toBe(false);
  });

  it('restartRuntime SIGKILLs a runtime that ignores SIGTERM once stopGraceMs is over', async () => {
    controls = new FixtureControls();
    const output = new CapturedOutput();
    emulator = await RuntimeApiEmulator.start({
      colour: false,
      output,
      stopGraceMs: 200,
      runtime: {
        command: process.execPath,
        args: [supervisedFixture],
        env: { FIXTURE_DIR: controls.dir, FIXTURE_IGNORE_SIGTERM: '1' },
      },
    });
    const oldPid = (await emulator.invoke({})).json<{ pid: number }>().pid;

    await emulator.restartRuntime();
    const fresh = await emulator.invoke({});

    expect(output.text).toContain('SIGTERM ignored');
    expect(isRunning(oldPid)).toBe(false);
    expect(fresh.json<{ pid: number }>().pid).not.toBe(oldPid);
  });

  it('writes coloured lines when colour is on and plain ones when it is off', async () => {
    const plain = await startSupervised({ colour: false });
    const plainResult = await plain.emulator.invoke({});
    await plain.emulator.close();
    controls?.remove();
    const coloured = await startSupervised({ colour: true });

    const colouredResult = await coloured.emulator.invoke({});

    expect(plain.output.text).toContain(`START RequestId: ${plainResult.requestId}`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape codes are the point.
    expect(plain.output.text).not.toMatch(/\u001b\[/);
    expect(coloured.output.text).toContain(`\u001b[36mSTART RequestId: ${colouredResult.requestId}`);
    expect(coloured.output.text).toContain('handling echo\n');
  });

  it('gives the runtime the function environment, _HANDLER and LAMBDA_TASK_ROOT = its working directory', async () => {
    const { emulator } = await startSupervised({
      handler: 'index.handler',
      environment: { TABLE_NAME: 'orders' },
    });

    const { env, cwd } = (await emulator.invoke({ action: 'env' })).json<{
      env: Record<string, string>;
      cwd: string;
    }>();

    expect(env).toMatchObject({
      _HANDLER: 'index.handler',
      TABLE_NAME: 'orders',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    });
    expect(env.LAMBDA_TASK_ROOT).toBe(cwd);
  });
});
