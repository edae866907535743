import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/init-failure', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('items 30, 31: reports the initializer error to /init/error and exits non-zero', async () => {
    const runtime = emulator.spawn({ command: bootstrap, env: { TABLE_NAME: 'orders' } });

    const result = await emulator.invoke({ key: 'a' });
    const exit = await runtime.waitForExit();

    expect(result.via).toBe('init-error');
    expect(result.errorType).toBe('ConfigurationError');
    expect(result.error).toMatchObject({
      errorType: 'ConfigurationError',
      errorMessage: 'Cannot open table orders',
    });
    const initError = emulator.requests.find((request) => request.path === '/2018-06-01/runtime/init/error');
    expect(initError?.headers['lambda-runtime-function-error-type']).toBe('ConfigurationError');
    expect(initError?.headers['content-type']).toBe('application/json');
    expect(emulator.requests.some((request) => request.path.endsWith('/invocation/next'))).toBe(false);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
  });
});
