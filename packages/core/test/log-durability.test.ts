import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/log-durability.mjs', import.meta.url));

const INIT_LINES = ['logger line init', 'child line init', 'console line init'];
const INVOCATION_LINES = ['logger line invocation', 'child line invocation', 'console line invocation'];

/** The messages of the runtime's log lines, in order, whatever the format. */
function messages(runtime: SpawnedRuntime, format: string): string[] {
  const lines = runtime.stdout.split('\n').filter((line) => line.length > 0);
  if (format === 'JSON')
    return lines.map((line) => String((JSON.parse(line) as { message: unknown }).message));
  // Text: the fourth column, without the fields written after the message.
  return lines.map((line) => (line.split('\t')[3] ?? line).replace(/ \{.*$/, ''));
}

// Each case ends the process synchronously before pino could have loaded: the lines logged before
// are only there if they were written when they were logged (the managed runtime writes each one
// synchronously).
describe('log lines when the process ends synchronously (real runtime process)', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start(mode: string, format: string, nodeOptions: readonly string[] = []): SpawnedRuntime {
    return emulator.spawn({
      command: process.execPath,
      args: [...nodeOptions, fixture],
      env: { AWS_LAMBDA_LOG_FORMAT: format, FIXTURE_MODE: mode },
    });
  }

  it.each(['Text', 'JSON'])(
    'are on stdout when init calls process.exit() right after logging (%s)',
    async (format) => {
      const runtime = start('exit-in-init', format);

      const exit = await runtime.waitForExit();

      expect(exit.code).toBe(3);
      expect(messages(runtime, format)).toEqual(INIT_LINES);
    },
  );

  it.each(['Text', 'JSON'])(
    'are on stdout with the request id when the first invocation calls process.exit() right after logging (%s)',
    async (format) => {
      const runtime = start('exit-in-invocation', format);

      const result = await emulator.invoke({});
      const exit = await runtime.waitForExit();

      expect(result.errorType).toBe('Runtime.ExitError');
      expect(exit.code).toBe(4);
      expect(messages(runtime, format)).toEqual([...INIT_LINES, ...INVOCATION_LINES]);
      const invocationLines = runtime.stdout.split('\n').filter((line) => line.includes('line invocation'));
      expect(invocationLines).toHaveLength(3);
      for (const line of invocationLines) expect(line).toContain(result.requestId);
    },
  );

  it('are on stdout when the first invocation spins in synchronous code until it is SIGKILLed at the deadline', async () => {
    const runtime = start('spin', 'JSON');

    const answer = emulator.invoke({}).catch(() => undefined);
    await until(() => runtime.stderr.includes('SPINNING'), 10_000);
    await emulator.shutdown({ reason: 'timeout' });
    await answer;

    expect(runtime.exit?.signal).toBe('SIGKILL');
    expect(messages(runtime, 'JSON')).toEqual([...INIT_LINES, ...INVOCATION_LINES]);
  });

  it('are on stdout when the first invocation runs out of memory', async () => {
    const runtime = start('oom', 'JSON', ['--max-old-space-size=48']);

    const result = await emulator.invoke({});
    const exit = await runtime.waitForExit();

    expect(result.errorType).toBe('Runtime.ExitError');
    expect(exit.code === 0).toBe(false);
    expect(runtime.stderr).toMatch(/heap out of memory/i);
    expect(messages(runtime, 'JSON')).toEqual([...INIT_LINES, ...INVOCATION_LINES]);
  });
});
