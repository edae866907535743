import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogLines, nextPolls, until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/handler-styles.mjs', import.meta.url));

// Real processes: whether the event loop is empty only means something in a process of its own.
describe('handler styles of the managed runtime', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: SpawnedRuntime;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start(style: string): SpawnedRuntime {
    runtime = emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { FIXTURE_STYLE: style, AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
    return runtime;
  }

  function warnings(): string[] {
    return jsonLogLines(runtime)
      .filter((line) => line.level === 'WARN')
      .map((line) => line.message);
  }

  it('answers with the value given to callback(null, result)', async () => {
    start('callback');
    const result = await emulator.invoke({ value: 1 }, { deadlineMs: Date.now() + 60_000 });
    expect(result.status).toBe('success');
    const body = result.json() as { echo: unknown; remaining: number };
    expect(body.echo).toEqual({ value: 1 });
    expect(body.remaining).toBeGreaterThan(50_000);
    expect(body.remaining).toBeLessThanOrEqual(60_000);
  });

  it('fails the invocation with the error given to callback(error)', async () => {
    start('callback');
    const result = await emulator.invoke({ action: 'error' });
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ errorType: 'Error', errorMessage: 'failed through the callback' });
  });

  it('keeps the first completion and ignores later ones with a warning', async () => {
    start('callback');
    const result = await emulator.invoke({ action: 'twice' });
    expect(result.json()).toBe('first');
    await until(() => warnings().length >= 2);
    expect(warnings().filter((message) => message.includes('already completed'))).toHaveLength(2);
    // Still exactly one answer, and the loop goes on.
    const next = await emulator.invoke({ value: 2 });
    expect(next.status).toBe('success');
    expect(
      emulator.requests.filter((r) => r.requestId === result.requestId && r.method === 'POST'),
    ).toHaveLength(1);
  });

  it('answers through context.succeed, context.done and detached copies of them', async () => {
    start('callback');
    expect((await emulator.invoke({ action: 'succeed' })).json()).toEqual({ via: 'succeed' });
    expect((await emulator.invoke({ action: 'done' })).json()).toEqual({ via: 'done' });
    expect((await emulator.invoke({ action: 'detached' })).json()).toBe(
      'succeed called detached from a copied context',
    );
  });

  it('fails through context.fail and context.done(error)', async () => {
    start('callback');
    const failed = await emulator.invoke({ action: 'fail' });
    expect(failed.error).toMatchObject({ errorType: 'Error', errorMessage: 'failed through context.fail' });
    const done = await emulator.invoke({ action: 'done-error' });
    expect(done.error).toMatchObject({ errorType: 'Error', errorMessage: 'failed through context.done' });
  });

  it('sends the callback result at once but polls again only once the event loop is empty', async () => {
    start('callback');
    const result = await emulator.invoke({ action: 'waits' });
    expect(result.json()).toBe('answered before the timer');
    const stdoutWhenAnswered = runtime.stdout;
    await until(() => nextPolls(emulator).length === 2, 5_000);
    const timerFiredAt = Number(/TIMER_FIRED_AT=(\d+)/.exec(runtime.stdout)?.[1]);
    const secondPoll = nextPolls(emulator)[1];
    expect(timerFiredAt).toBeGreaterThan(0);
    // Order, not durations: the response did not wait for the handler's timer; the next /next did.
    expect(stdoutWhenAnswered).not.toContain('TIMER_FIRED_AT');
    expect(secondPoll?.receivedAt).toBeGreaterThanOrEqual(timerFiredAt);
  });

  it('polls again at once when callbackWaitsForEmptyEventLoop is false', async () => {
    start('callback');
    const result = await emulator.invoke({ action: 'no-wait' });
    expect(result.json()).toBe('answered without waiting');
    await until(() => nextPolls(emulator).length === 2, 5_000);
    const secondPoll = nextPolls(emulator)[1];
    expect(runtime.stdout).not.toContain('TIMER_FIRED_AT');
    expect(secondPoll?.receivedAt).toBeDefined();
  });

  it('fails with Runtime.HandlerNeverSettled when a callback handler returns without calling back', async () => {
    start('callback');
    const result = await emulator.invoke({ action: 'never' });
    expect(result.errorType).toBe('Runtime.HandlerNeverSettled');
    expect((await emulator.invoke({ value: 3 })).status).toBe('success');
  });

  it('runs a pre-callback handler that completes later through context.succeed', async () => {
    start('legacy');
    expect((await emulator.invoke({ value: 'v' })).json()).toEqual({ legacy: 'v' });
  });

  it('answers a plain function with its return value, and null once it returned nothing', async () => {
    start('sync');
    expect((await emulator.invoke({ value: 5 })).json()).toEqual({ sync: 5 });
    const nothing = await emulator.invoke({ action: 'nothing' });
    expect(nothing.status).toBe('success');
    expect(nothing.payload.toString('utf8')).toBe('null');
  });
});
