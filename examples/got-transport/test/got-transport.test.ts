import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/got-transport', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('serves invocations through got, over one kept-alive connection', async () => {
    emulator.spawn({ command: bootstrap });

    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await emulator.invoke({ i }));

    for (const [i, result] of results.entries()) {
      expect(result.json()).toEqual({
        message: `ECHO: {"i":${i}}`,
        requestId: result.requestId,
        transport: 'got',
      });
    }
    expect(new Set(emulator.requests.map((request) => request.connectionId)).size).toBe(1);
    // got would announce itself in its own User-Agent; ours must be on every request (item 6).
    expect(
      emulator.requests.every((request) => request.headers['user-agent']?.startsWith('lambda-runtime/')),
    ).toBe(true);
  });
});
