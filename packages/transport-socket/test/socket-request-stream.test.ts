import { TransportError } from '@lambda-runtime/api';
import {
  StreamingContractServer,
  type StreamingContractServerOptions,
  useContractServer,
} from '@lambda-runtime/transport-contract';
import { describe, expect, it } from 'vitest';
import type { SocketRequestStream } from '../src/socket-request-stream.js';
import { SocketTransport } from '../src/socket-transport.js';

const PATH = '/2018-06-01/runtime/invocation/id-1/response';

describe('SocketRequestStream', () => {
  const start = useContractServer(
    (options?: StreamingContractServerOptions) => new StreamingContractServer(options),
    (origin) => new SocketTransport({ origin }),
  );

  it('item 32: sends the request line, Host, the given headers, Transfer-Encoding: chunked and Connection: close when a stream opens', async () => {
    const { server, transport } = await start();

    const stream = transport.openStream({
      method: 'POST',
      path: PATH,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Content-Type': 'application/octet-stream',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        'transfer-encoding': 'gzip',
      },
    });
    await stream.end();

    expect(server.streams[0]?.head).toBe(
      `POST ${PATH} HTTP/1.1\r\nHost: ${server.origin.slice(7)}\r\n` +
        'Lambda-Runtime-Function-Response-Mode: streaming\r\nContent-Type: application/octet-stream\r\n' +
        'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n' +
        'Transfer-Encoding: chunked\r\nConnection: close',
    );
  });

  it('item 33: keeps at most the high-water mark plus one chunk in the process when the server reads nothing', async () => {
    const { server: sink, transport } = await start({
      keepBytes: false,
      onHead: (request) => request.socket.pause(),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const bound = 16 * 1024 + chunk.length + 16;
    const stream = transport.openStream({ method: 'POST', path: PATH });
    await sink.waitFor(() => sink.streams.length === 1, 5_000, 'the head');
    const buffered: number[] = [];
    let stalled: Promise<void> | undefined;

    // Writes until one is held back (up to 48 MiB, more than loopback buffers hold).
    for (let i = 0; i < 768 && stalled === undefined; i += 1) {
      const write = stream.write(chunk);
      buffered.push((stream as SocketRequestStream).bufferedBytes);
      const held = await Promise.race([
        write.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
      ]);
      if (held) stalled = write;
    }
    sink.streams[0]?.socket.resume();
    await stalled;
    const answer = await stream.end();

    expect(stalled).toBeDefined();
    expect(Math.max(...buffered)).toBeLessThanOrEqual(bound);
    expect(answer.status).toBe(202);
    expect(sink.streams[0]?.bodyBytes).toBe(buffered.length * chunk.length);
  });

  it('cuts the body and rejects with ERR_INVALID_REQUEST when a trailer value holds CR/LF', async () => {
    const { server, transport } = await start();
    const stream = transport.openStream({ method: 'POST', path: PATH });
    await stream.write(Buffer.from('hello'));
    await server.waitFor(() => server.streams[0]?.chunks.length === 1, 5_000, 'the chunk');

    const ended = stream.end({ 'X-Error': 'a\r\nInjected: yes' });

    await expect(ended).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    await server.waitFor(() => server.streams[0]?.closed === true, 5_000, 'the connection to close');
    expect(server.streams[0]?.complete).toBe(false);
  });

  it('rejects with ERR_INVALID_REQUEST and connects to nothing when a header value holds CR/LF', async () => {
    const { server, transport } = await start();

    const stream = transport.openStream({ method: 'POST', path: PATH, headers: { 'X-A': 'a\nb' } });

    const error = await stream.response.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    await expect(stream.write(Buffer.from('x'))).rejects.toBe(error);
    expect(server.connectionCount).toBe(0);
  });

  it('rejects with ERR_TRANSPORT_CLOSED and connects to nothing when the transport is closed', async () => {
    const { server, transport } = await start();
    await transport.close();

    const stream = transport.openStream({ method: 'POST', path: PATH });

    await expect(stream.end()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    expect(server.connectionCount).toBe(0);
  });

  it('rejects a write after end() with ERR_STREAM_ENDED and still resolves the answer', async () => {
    const { transport } = await start();
    const stream = transport.openStream({ method: 'POST', path: PATH });
    const ended = stream.end();

    const late = stream.write(Buffer.from('late'));

    await expect(late).rejects.toMatchObject({ code: 'ERR_STREAM_ENDED' });
    await expect(ended).resolves.toMatchObject({ status: 202 });
    expect(stream.end()).toBe(ended);
  });
});
