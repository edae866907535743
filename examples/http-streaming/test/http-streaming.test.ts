import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/http-streaming', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'http-streaming', functionUrl: { port: 0 } });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('streams server-sent events through the function URL door: prelude status, headers and cookie first', async () => {
    emulator.spawn({ command: bootstrap });

    const response = await fetch(`${emulator.functionUrlOrigin}/events?ticks=4`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const reads: string[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      reads.push(decoder.decode(read.value, { stream: true }));
    }

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('set-cookie')).toMatch(/^last-request=[\w-]+; Path=\/; HttpOnly$/);
    const text = reads.join('');
    expect(text.match(/event: tick/g)).toHaveLength(4);
    expect(text).toContain('data: {"tick":4,"of":4}');
    expect(text.endsWith('event: done\ndata: {}\n\n')).toBe(true);
    // The events came in pieces, as they were written, not as one buffered body.
    expect(reads.length).toBeGreaterThan(1);
  });

  it('answers a bad query with the 400 its prelude sets', async () => {
    emulator.spawn({ command: bootstrap });

    const response = await fetch(`${emulator.functionUrlOrigin}/events?ticks=zero`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'ticks must be a whole number from 1 to 50' });
  });
});
