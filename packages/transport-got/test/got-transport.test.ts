import { gzipSync } from 'node:zlib';
import { TransportError } from '@lambda-runtime/api';
import {
  ContractServer,
  type ContractServerOptions,
  useContractServer,
} from '@lambda-runtime/transport-contract';
import { ReadError, RequestError } from 'got';
import { describe, expect, it } from 'vitest';
import { GotTransport } from '../src/got-transport.js';

describe('GotTransport', () => {
  const start = useContractServer(
    (options: ContractServerOptions = {}) => new ContractServer({ keepAliveTimeoutMs: 0, ...options }),
    (origin) => new GotTransport({ origin }),
  );

  it('wraps got ReadError as TransportError with its code when the response is cut short', async () => {
    const { transport } = await start();

    const error = await transport
      .request({ method: 'GET', path: '/reset/mid-response' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ errorType: 'Runtime.TransportError', code: 'ECONNRESET' });
    expect((error as TransportError).cause).toBeInstanceOf(ReadError);
    expect((error as TransportError).message).toContain('GET /reset/mid-response');
  });

  it('makes exactly one attempt when the connection is reset before an answer', async () => {
    const { server, transport } = await start();

    const error = await transport
      .request({ method: 'GET', path: '/reset/before-response' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).cause).toBeInstanceOf(RequestError);
    expect(server.requests.filter((r) => r.url === '/reset/before-response')).toHaveLength(1);
  });

  it('makes exactly one attempt when the server answers 503', async () => {
    const { server, transport } = await start();

    const response = await transport.request({ method: 'GET', path: '/status/503' });

    expect(response.status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('returns a redirect as is when the server answers 302', async () => {
    const { server, transport } = await start({
      handler: (_request, response) => {
        response.writeHead(302, { location: '/elsewhere', 'content-length': 0 });
        response.end();
      },
    });

    const response = await transport.request({ method: 'GET', path: '/moved' });

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/elsewhere');
    expect(server.requests).toHaveLength(1);
  });

  it('returns the encoded bytes when the server sends a gzip content-encoding', async () => {
    const gzipped = gzipSync('{"not":"decoded"}');
    const { transport } = await start({
      handler: (_request, response) => {
        response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gzipped.byteLength });
        response.end(gzipped);
      },
    });

    const response = await transport.request({ method: 'GET', path: '/gz' });

    expect(Buffer.from(response.body).equals(gzipped)).toBe(true);
  });

  it('adds no headers of its own when the caller sends none', async () => {
    const { server, transport } = await start();

    await transport.request({ method: 'GET', path: '/ok' });

    const names = server.requests[0]?.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names?.sort()).toEqual(['connection', 'host']);
  });

  it('throws a TypeError when the origin is not plain http', () => {
    expect(() => new GotTransport({ origin: 'https://127.0.0.1:9001' })).toThrow(TypeError);
  });
});
