import { TransportError } from '@lambda-runtime/api';
import { ContractServer } from '@lambda-runtime/transport-contract';
import { errors, getGlobalDispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UndiciTransport } from '../src/undici-transport.js';

describe('UndiciTransport', () => {
  let server: ContractServer;
  let transport: UndiciTransport | undefined;

  beforeEach(async () => {
    server = new ContractServer({ keepAliveTimeoutMs: 0 });
    await server.listen();
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await server.close();
  });

  it('wraps undici SocketError as TransportError UND_ERR_SOCKET when the response is cut short', async () => {
    transport = new UndiciTransport({ origin: server.origin });

    const error = await transport
      .request({ method: 'GET', path: '/reset/mid-response' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ errorType: 'Runtime.TransportError', code: 'UND_ERR_SOCKET' });
    expect((error as TransportError).cause).toBeInstanceOf(errors.SocketError);
    expect((error as TransportError).message).toContain('GET /reset/mid-response');
  });

  it('rejects with TransportError UND_ERR_DESTROYED when a request is made after close', async () => {
    transport = new UndiciTransport({ origin: server.origin });
    await transport.close();

    const error = await transport.request({ method: 'GET', path: '/ok' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'UND_ERR_DESTROYED' });
    expect((error as TransportError).cause).toBeInstanceOf(errors.ClientDestroyedError);
  });

  it('leaves the global dispatcher untouched when it is created, used and closed', async () => {
    const before = getGlobalDispatcher();

    transport = new UndiciTransport({ origin: server.origin });
    await transport.request({ method: 'GET', path: '/ok' });
    await transport.close();

    expect(getGlobalDispatcher()).toBe(before);
  });

  it('adds no headers of its own when the caller sends none', async () => {
    transport = new UndiciTransport({ origin: server.origin });

    await transport.request({ method: 'GET', path: '/ok' });

    const names = server.requests[0]?.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names?.sort()).toEqual(['connection', 'host']);
  });

  it('closes an idle connection itself when keepAliveTimeout passes without a server hint', async () => {
    transport = new UndiciTransport({ origin: server.origin, keepAliveTimeout: 200 });

    await transport.request({ method: 'GET', path: '/ok' });

    await server.waitFor((s) => s.openConnectionCount === 0, 5_000, 'the client to drop its idle connection');
    const after = await transport.request({ method: 'GET', path: '/ok' });
    expect(after.status).toBe(200);
    expect(server.connectionCount).toBe(2);
  });
});
