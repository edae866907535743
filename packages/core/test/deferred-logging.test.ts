import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogLines } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/logs-then-answers.mjs', import.meta.url));

describe('log lines written before pino is loaded (real runtime process)', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function start() {
    return emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
  }

  it('item 51: are on stdout, in order and with the request id, when the first response is posted', async () => {
    const runtime = start();
    const result = await emulator.invoke({ value: 'first' });

    // Read at once: nothing may arrive after the answer.
    const lines = jsonLogLines(runtime).map((line) => [line.message, line.requestId]);
    expect(result.json()).toBe('first');
    expect(lines).toEqual([
      ['initialised', undefined],
      ['handling', result.requestId],
      ['a console line', result.requestId],
    ]);
    await runtime.terminate();
  });

  it('item 51: are on stdout, with the Invoke Error line, when the first answer is an error', async () => {
    const runtime = start();
    const result = await emulator.invoke({ value: 'first', fail: true });

    const messages = jsonLogLines(runtime).map((line) => line.message);
    expect(result.errorType).toBe('Error');
    expect(messages).toEqual(['initialised', 'handling', 'a console line', 'Invoke Error']);
    await runtime.terminate();
  });
});
