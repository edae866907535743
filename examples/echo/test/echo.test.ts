import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/echo', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'echo' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('echoes events with their request id when run as a bootstrap process', async () => {
    emulator.spawn({ command: bootstrap });

    const first = await emulator.invoke({ key: 'a' });
    const second = await emulator.invoke([1, 2, 3]);

    expect(first.status).toBe('success');
    expect(first.json()).toEqual({
      message: 'ECHO: {"key":"a"}',
      requestId: first.requestId,
      event: { key: 'a' },
    });
    expect(second.json()).toEqual({
      message: 'ECHO: [1,2,3]',
      requestId: second.requestId,
      event: [1, 2, 3],
    });
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('reports a requested failure as an invocation error and keeps serving', async () => {
    emulator.spawn({ command: bootstrap });

    const failed = await emulator.invoke({ fail: 'on purpose' });
    const empty = await emulator.invoke('');
    const after = await emulator.invoke({ key: 'b' });

    expect(failed.status).toBe('error');
    expect(failed.errorType).toBe('EchoRequestedError');
    expect(failed.error).toMatchObject({
      errorType: 'EchoRequestedError',
      errorMessage: 'Failing as asked: on purpose',
    });
    expect(failed.error?.stackTrace[0]).toContain('EchoRequestedError: Failing as asked');
    expect(empty.error).toMatchObject({
      errorType: 'EmptyInputError',
      errorMessage: 'Empty input, nothing to echo.',
    });
    expect(after.status).toBe('success');
  });

  it('logs with the request id of the invocation it serves', async () => {
    const runtime = emulator.spawn({ command: bootstrap, env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });

    const result = await emulator.invoke({ key: 'c' });

    const lines = runtime.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'echo function initialised', functionName: 'echo' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'echoing', requestId: result.requestId, level: 'INFO' }),
    );
  });
});
