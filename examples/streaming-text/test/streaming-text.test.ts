import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/streaming-text', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'streaming-text' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('streams its tokens to the caller as it produces them, when run as a bootstrap process', async () => {
    emulator.spawn({ command: bootstrap });

    const stream = emulator.invokeStream({ prompt: 'one two three four five' });
    const pieces: string[] = [];
    let resultBeforeLastToken: boolean | undefined;
    let settled = false;
    stream.result.then(() => {
      settled = true;
    });
    for await (const { bytes } of stream) {
      pieces.push(bytes.toString());
      if (pieces.join('').includes('four')) resultBeforeLastToken ??= settled;
    }
    const result = await stream.result;

    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(pieces.join('')).toBe('one two three four five\n');
    // The tokens came one by one, and while the function was still generating.
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    expect(resultBeforeLastToken).toBe(false);
  });

  it('sends the tokens produced before a failure, then the error (from the stream trailers)', async () => {
    emulator.spawn({ command: bootstrap });

    const stream = emulator.invokeStream({ prompt: 'alpha beta gamma delta', failAfter: 2, delayMs: 1 });
    const { body } = await stream.collect();
    const result = await stream.result;

    expect(body.toString()).toBe('alpha beta');
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('GenerationInterruptedError');
    expect(result.error?.errorMessage).toMatch(/^Interrupted after 2 tokens/);
  });

  it('answers a buffered caller with the whole text and keeps serving', async () => {
    emulator.spawn({ command: bootstrap });

    const first = await emulator.invoke({ prompt: 'hello streaming world', delayMs: 1 });
    const second = await emulator.invoke({ prompt: 'again', delayMs: 1 });

    expect(first.status).toBe('success');
    expect(first.payload.toString()).toBe('hello streaming world\n');
    expect(second.payload.toString()).toBe('again\n');
  });
});
