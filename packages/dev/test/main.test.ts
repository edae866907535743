import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

describe('main', () => {
  it('exits 2 for an unknown command', async () => {
    const code = await main(['no-such-command']);

    expect(code).toBe(2);
  });
});
