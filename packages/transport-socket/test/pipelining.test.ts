import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketTransport } from '../src/socket-transport.js';
import { type RawRequest, RawServer, response } from './raw-server.js';

const text = (body: Uint8Array) => Buffer.from(body).toString();

describe('SocketTransport with pipelining', () => {
  let server: RawServer | undefined;
  let transport: SocketTransport | undefined;

  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = undefined;
    server = undefined;
  });

  async function warm(handler: (request: RawRequest, socket: Socket) => void): Promise<SocketTransport> {
    server = new RawServer(handler);
    await server.listen();
    transport = new SocketTransport({ origin: server.origin, pipelining: true });
    // A first exchange, so the connection is open when the pipelined pair goes out.
    await transport.request({ method: 'GET', path: '/warm' });
    return transport;
  }

  it('writes a GET behind a POST before the POST is answered, and matches the answers in order', async () => {
    const held: Socket[] = [];
    const client = await warm((request, socket) => {
      if (request.path === '/warm') {
        socket.write(response('warm'));
        return;
      }
      // Answer nothing until both requests have arrived, then both in one write.
      held.push(socket);
      if (held.length === 2) socket.write(Buffer.concat([response('posted'), response('next event')]));
    });

    const posted = client.request({ method: 'POST', path: '/response', body: 'result' });
    const next = client.request({ method: 'GET', path: '/next' });

    expect(text((await posted).body)).toBe('posted');
    expect(text((await next).body)).toBe('next event');
    expect(server?.requests.map((r) => [r.path, r.connection])).toEqual([
      ['/warm', 1],
      ['/response', 1],
      ['/next', 1],
    ]);
  });

  it('sends the pipelined GET again on a new connection when the first answer closes the connection', async () => {
    const client = await warm((request, socket) => {
      if (request.path === '/response') {
        socket.end(response('posted', 'Connection: close\r\n'));
        return;
      }
      socket.write(response(request.connection === 1 ? 'warm' : 'next on a new connection'));
    });

    const posted = client.request({ method: 'POST', path: '/response', body: 'result' });
    const next = client.request({ method: 'GET', path: '/next' });

    expect(text((await posted).body)).toBe('posted');
    expect(text((await next).body)).toBe('next on a new connection');
    expect(server?.requests.filter((r) => r.path === '/next').map((r) => r.connection)).toEqual([1, 2]);
  });

  it('never pipelines a POST: it waits for the answer in flight', async () => {
    const client = await warm((request, socket) => {
      server?.later(request.path === '/first' ? 50 : 0, () => socket.write(response(request.path)));
    });

    const first = client.request({ method: 'GET', path: '/first' });
    const second = client.request({ method: 'POST', path: '/second', body: 'x' });
    await server?.waitFor((s) => s.requests.length === 2, 'the first request');
    // The POST is not on the wire while the GET is unanswered.
    expect(server?.requests.map((r) => r.path)).toEqual(['/warm', '/first']);

    expect(text((await first).body)).toBe('/first');
    expect(text((await second).body)).toBe('/second');
  });
});
