import { TransportError } from '@lambda-runtime/api';
import {
  StreamingContractServer,
  type StreamingContractServerOptions,
  useContractServer,
} from '@lambda-runtime/transport-contract';
import { describe, expect, it } from 'vitest';
import { GotTransport } from '../src/got-transport.js';

const PATH = '/2018-06-01/runtime/invocation/id-1/response';

describe('GotRequestStream', () => {
  const start = useContractServer(
    (options?: StreamingContractServerOptions) => new StreamingContractServer(options),
    (origin) => new GotTransport({ origin }),
  );

  it('item 32: sends Connection: close and no User-Agent of its own when a stream opens', async () => {
    const { server, transport } = await start();

    const stream = transport.openStream({ method: 'POST', path: PATH, headers: { 'X-Mode': 'streaming' } });
    await stream.end();

    expect(server.streams[0]?.headers).toMatchObject({
      connection: 'close',
      'transfer-encoding': 'chunked',
      'x-mode': 'streaming',
    });
    expect(server.streams[0]?.headers['user-agent']).toBeUndefined();
  });

  it('cuts the body and rejects with ERR_INVALID_REQUEST when a trailer value holds CR/LF', async () => {
    const { server, transport } = await start();
    const stream = transport.openStream({ method: 'POST', path: PATH });
    await stream.write(Buffer.from('hello'));
    await server.waitFor(() => server.streams[0]?.chunks.length === 1, 5_000, 'the chunk');

    const ended = stream.end({ 'X-Error': 'a\r\nInjected: yes' });

    await expect(ended).rejects.toBeInstanceOf(TransportError);
    await expect(ended).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    await server.waitFor(() => server.streams[0]?.closed === true, 5_000, 'the connection to close');
    expect(server.streams[0]?.complete).toBe(false);
  });

  it('rejects with ERR_TRANSPORT_CLOSED and connects to nothing when the transport is closed', async () => {
    const { server, transport } = await start();
    await transport.close();

    const stream = transport.openStream({ method: 'POST', path: PATH });

    await expect(stream.end()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    expect(server.connectionCount).toBe(0);
  });
});
