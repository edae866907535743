import { randomBytes } from 'node:crypto';
import { TransportError, type TransportRequest } from '@lambda-runtime/api';
import { afterEach, describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../src/malformed-response-error.js';
import { SocketTransport } from '../src/socket-transport.js';
import { dribble, type RawHandler, RawServer, response } from './raw-server.js';

const text = (body: Uint8Array) => Buffer.from(body).toString();

describe('SocketTransport', () => {
  let server: RawServer | undefined;
  let transport: SocketTransport | undefined;

  async function start(handler: RawHandler): Promise<{ server: RawServer; transport: SocketTransport }> {
    server = new RawServer(handler);
    await server.listen();
    transport = new SocketTransport({ origin: server.origin });
    return { server, transport };
  }

  const ok: RawHandler = (_request, socket) => socket.write(response());

  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = undefined;
    server = undefined;
  });

  describe('requests', () => {
    it('item 6: sends the request line, Host and the given headers and nothing else when it GETs', async () => {
      const { server, transport } = await start(ok);

      await transport.request({
        method: 'GET',
        path: '/2018-06-01/runtime/invocation/next',
        headers: { 'User-Agent': 'lambda-runtime/0.1.0', 'x-Mixed': 'a  b' },
      });

      expect(server.requests[0]?.head).toBe(
        `GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${server.origin.slice(7)}\r\n` +
          'User-Agent: lambda-runtime/0.1.0\r\nx-Mixed: a  b',
      );
    });

    it('sends Content-Length in bytes when the body is a UTF-8 string, and 0 when a POST has none', async () => {
      const { server, transport } = await start(ok);

      await transport.request({ method: 'POST', path: '/a', body: 'é🎉' });
      await transport.request({ method: 'POST', path: '/b' });

      expect(server.requests[0]?.headers['content-length']).toBe('6');
      expect(server.requests[0]?.body.toString()).toBe('é🎉');
      expect(server.requests[1]?.headers['content-length']).toBe('0');
    });

    it('sends bodies byte-exact when the head is Latin-1 and when the body is large or small bytes', async () => {
      const { server, transport } = await start(ok);
      const large = randomBytes(100_000);
      const small = Uint8Array.from([0, 1, 2, 255]);

      await transport.request({
        method: 'POST',
        path: '/latin1',
        headers: { 'X-Name': 'Grüße' },
        body: 'ünï',
      });
      await transport.request({ method: 'POST', path: '/large', body: new Uint8Array(large) });
      await transport.request({ method: 'POST', path: '/small', body: small.subarray(1, 3) });

      expect(
        Buffer.from(server.requests[0]?.head ?? '', 'latin1').includes(Buffer.from('Grüße', 'latin1')),
      ).toBe(true);
      expect(server.requests[0]?.body.toString()).toBe('ünï');
      expect(server.requests[1]?.body.equals(large)).toBe(true);
      expect([...(server.requests[2]?.body ?? [])]).toEqual([1, 2]);
      expect(server.connectionCount).toBe(1);
    });

    it('uses the caller Host and drops caller framing headers when they are given', async () => {
      const { server, transport } = await start(ok);

      await transport.request({
        method: 'POST',
        path: '/x',
        headers: { host: 'example.test:1', 'Content-Length': '999', 'Transfer-Encoding': 'chunked' },
        body: 'abc',
      });

      expect(server.requests[0]?.head).toBe('POST /x HTTP/1.1\r\nhost: example.test:1\r\nContent-Length: 3');
    });

    it('rejects without sending anything when a header value or the path would inject bytes', async () => {
      const { server, transport } = await start(ok);

      const requests: TransportRequest[] = [
        { method: 'GET', path: '/x', headers: { 'X-Evil': 'a\r\nInjected: 1' } },
        { method: 'GET', path: '/x', headers: { 'Bad Name': 'v' } },
        { method: 'GET', path: '/x y' },
        { method: 'GET', path: '/x\r\n' },
      ];
      const errors = await Promise.all(
        requests.map((request) => transport.request(request).catch((error: unknown) => error)),
      );

      for (const error of errors) {
        expect(error).toBeInstanceOf(TransportError);
        expect(error).toMatchObject({ code: 'ERR_INVALID_REQUEST' });
      }
      expect(server.connectionCount).toBe(0);
    });

    it('queues concurrent requests and sends them one at a time, in call order, on one connection', async () => {
      const { server, transport } = await start((request, socket, s) =>
        s.later(20, () => socket.write(response(request.path))),
      );

      const answers = await Promise.all(
        ['/1', '/2', '/3', '/4'].map((path) => transport.request({ method: 'GET', path })),
      );

      expect(answers.map((a) => text(a.body))).toEqual(['/1', '/2', '/3', '/4']);
      expect(server.requests.map((r) => r.path)).toEqual(['/1', '/2', '/3', '/4']);
      expect(server.overlapping).toBe(0);
      expect(server.connectionCount).toBe(1);
    });
  });

  describe('responses', () => {
    it('decodes a chunked body when the server sends it one byte per packet', async () => {
      const bytes = Buffer.from(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;x=y\r\npedia \r\n0\r\nT: x\r\n\r\n',
      );
      const { transport } = await start((_request, socket) => void dribble(socket, bytes));

      const answer = await transport.request({ method: 'GET', path: '/' });

      expect(text(answer.body)).toBe('Wikipedia ');
    });

    it('parses the head when the server splits it across packets inside the blank line', async () => {
      const bytes = response('split', 'X-One: 1\r\nX-One: 2\r\n');
      const cut = bytes.indexOf('\r\n\r\n') + 2;
      const { transport } = await start((_request, socket, s) => {
        socket.write(bytes.subarray(0, 9));
        s.later(20, () => socket.write(bytes.subarray(9, cut)));
        s.later(40, () => socket.write(bytes.subarray(cut)));
      });

      const answer = await transport.request({ method: 'GET', path: '/' });

      expect(answer.headers['x-one']).toBe('1, 2');
      expect(text(answer.body)).toBe('split');
    });

    it('skips 100 and 103 interim responses when they come before the answer', async () => {
      const { transport } = await start((_request, socket) =>
        socket.write(
          Buffer.concat([
            Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'),
            response('final'),
          ]),
        ),
      );

      const answer = await transport.request({ method: 'GET', path: '/' });

      expect(answer.status).toBe(200);
      expect(text(answer.body)).toBe('final');
    });

    it('reads the body to the end of the connection when no length is given, then reconnects', async () => {
      const { server, transport } = await start((request, socket) => {
        if (request.indexOnConnection === 1 && request.connection === 1) {
          socket.end(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(100_000)}`);
        } else socket.write(response());
      });

      const first = await transport.request({ method: 'GET', path: '/until-close' });
      const second = await transport.request({ method: 'GET', path: '/ok' });

      expect(first.body.byteLength).toBe(100_000);
      expect(second.status).toBe(200);
      expect(server.connectionCount).toBe(2);
    });

    it('carries a 6 MiB body when it arrives chunked and when it is delimited by the close', async () => {
      const bytes = randomBytes(6 * 1024 * 1024);
      const { transport } = await start((request, socket) => {
        if (request.path === '/chunked') {
          socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
          for (let i = 0; i < bytes.length; i += 100_003) {
            const part = bytes.subarray(i, i + 100_003);
            socket.write(`${part.length.toString(16)}\r\n`);
            socket.write(part);
            socket.write('\r\n');
          }
          socket.write('0\r\n\r\n');
        } else {
          socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
          socket.end(bytes);
        }
      });

      const chunked = await transport.request({ method: 'GET', path: '/chunked' });
      const untilClose = await transport.request({ method: 'GET', path: '/until-close' });

      expect(Buffer.from(chunked.body).equals(bytes)).toBe(true);
      expect(Buffer.from(untilClose.body).equals(bytes)).toBe(true);
    });

    it('opens a new connection for the next request when the server answers Connection: close', async () => {
      const { server, transport } = await start((_request, socket) =>
        socket.write(response('bye', 'Connection: close\r\n')),
      );

      const first = await transport.request({ method: 'GET', path: '/1' });
      const second = await transport.request({ method: 'POST', path: '/2', body: 'x' });

      expect(text(first.body)).toBe('bye');
      expect(second.status).toBe(200);
      expect(server.connectionCount).toBe(2);
      expect(server.requests.map((r) => r.indexOnConnection)).toEqual([1, 1]);
    });

    it('opens a new connection for the next request when the request said Connection: close', async () => {
      const { server, transport } = await start(ok);

      await transport.request({ method: 'GET', path: '/1', headers: { Connection: 'close' } });
      await transport.request({ method: 'GET', path: '/2' });

      expect(server.connectionCount).toBe(2);
    });
  });

  describe('broken servers', () => {
    it('returns the response but discards the connection when garbage is pipelined behind it', async () => {
      const { server, transport } = await start((request, socket) =>
        socket.write(
          request.connection === 1 ? Buffer.concat([response('first'), Buffer.from('JUNK')]) : response(),
        ),
      );

      const first = await transport.request({ method: 'GET', path: '/1' });
      const second = await transport.request({ method: 'GET', path: '/2' });

      expect(text(first.body)).toBe('first');
      expect(second.status).toBe(200);
      expect(server.connectionCount).toBe(2);
    });

    it('discards the idle connection when unsolicited bytes arrive after a response', async () => {
      const { server, transport } = await start((request, socket, s) => {
        socket.write(response());
        if (request.connection === 1) s.later(20, () => socket.write(response('unsolicited')));
      });

      await transport.request({ method: 'GET', path: '/1' });
      await server.waitFor((s) => s.openConnectionCount === 0, 'the client to drop the connection');
      const second = await transport.request({ method: 'POST', path: '/2', body: 'x' });

      expect(text(second.body)).toBe('{"ok":true}');
      expect(server.connectionCount).toBe(2);
    });

    it('rejects with ERR_MALFORMED_RESPONSE and recovers on a new connection when the answer is garbage', async () => {
      const { server, transport } = await start((request, socket) =>
        socket.write(request.connection === 1 ? 'SSH-2.0-OpenSSH\r\n' : response()),
      );

      const error = await transport.request({ method: 'GET', path: '/1' }).catch((e: unknown) => e);
      const after = await transport.request({ method: 'GET', path: '/2' });

      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'ERR_MALFORMED_RESPONSE' });
      expect((error as TransportError).cause).toBeInstanceOf(MalformedResponseError);
      expect((error as TransportError).message).toMatch(/GET \/1 failed: malformed HTTP response/);
      expect(after.status).toBe(200);
      expect(server.connectionCount).toBe(2);
    });

    it('rejects with ERR_MALFORMED_RESPONSE when the chunk framing is broken', async () => {
      const { transport } = await start((_request, socket) =>
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX'),
      );

      const error = await transport.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'ERR_MALFORMED_RESPONSE' });
    });

    it('rejects with ECONNRESET when the server closes cleanly in the middle of a body', async () => {
      const { transport } = await start((_request, socket) =>
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'),
      );

      const error = await transport.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'ECONNRESET' });
    });
  });

  describe('stale connections', () => {
    /** Answers the first request of every connection; closes the connection on any later one unanswered. */
    const closesReusedConnections =
      (how: 'end' | 'reset'): RawHandler =>
      (request, socket) => {
        if (request.indexOnConnection === 1) socket.write(response(`conn ${request.connection}`));
        else if (how === 'end') socket.end();
        else socket.resetAndDestroy();
      };

    for (const how of ['end', 'reset'] as const) {
      it(`retries a GET once on a new connection when a reused connection dies unanswered (${how})`, async () => {
        const { server, transport } = await start(closesReusedConnections(how));
        await transport.request({ method: 'GET', path: '/1' });

        const answer = await transport.request({ method: 'GET', path: '/2' });

        expect(text(answer.body)).toBe('conn 2');
        expect(server.requests.map((r) => r.path)).toEqual(['/1', '/2', '/2']);
      });
    }

    for (const how of ['end', 'reset'] as const) {
      it(`sends a POST once more on a new connection when a reused connection dies unanswered (${how})`, async () => {
        const { server, transport } = await start(closesReusedConnections(how));
        await transport.request({ method: 'GET', path: '/1' });

        const answer = await transport.request({ method: 'POST', path: '/2', body: 'result' });

        expect(text(answer.body)).toBe('conn 2');
        expect(server.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
          'GET /1 ',
          'POST /2 result',
          'POST /2 result',
        ]);
      });
    }

    it('does not send a request again, and reports what arrived, when the answer had begun on a reused connection', async () => {
      const { server, transport } = await start((request, socket) => {
        if (request.indexOnConnection === 1) socket.write(response());
        else socket.end('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-1\r\nContent-Len');
      });
      await transport.request({ method: 'GET', path: '/1' });

      const error = await transport.request({ method: 'GET', path: '/2' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).response).toEqual({
        status: 200,
        headComplete: false,
        headers: { 'lambda-runtime-aws-request-id': 'id-1' },
      });
      expect(server.requests.map((r) => r.path)).toEqual(['/1', '/2']);
    });

    it('does not retry a GET when a fresh connection dies unanswered', async () => {
      const { server, transport } = await start((_request, socket) => socket.end());

      const error = await transport.request({ method: 'GET', path: '/1' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransportError);
      expect(server.requests).toHaveLength(1);
    });

    it('retries only once when the new connection dies unanswered too', async () => {
      const { server, transport } = await start((request, socket) => {
        if (request.connection === 1 && request.indexOnConnection === 1) socket.write(response());
        else socket.end();
      });
      await transport.request({ method: 'GET', path: '/1' });

      const error = await transport.request({ method: 'GET', path: '/2' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransportError);
      expect(server.requests.map((r) => r.path)).toEqual(['/1', '/2', '/2']);
      expect(server.connectionCount).toBe(2);
    });

    it('reconnects without writing to the old socket when the server closed the idle connection', async () => {
      const { server, transport } = await start((request, socket) =>
        socket.end(response(`conn ${request.connection}`)),
      );
      await transport.request({ method: 'GET', path: '/1' });
      await server.waitFor((s) => s.openConnectionCount === 0, 'the server-side close');

      const answer = await transport.request({ method: 'POST', path: '/2', body: '{}' });

      expect(text(answer.body)).toBe('conn 2');
      expect(server.requests.map((r) => r.connection)).toEqual([1, 2]);
    });

    it('opens a new connection instead of reusing one the server announced it would have dropped', async () => {
      const { server, transport } = await start((_request, socket) =>
        socket.write(response('x', 'Keep-Alive: timeout=1\r\n')),
      );

      await transport.request({ method: 'GET', path: '/1' });
      await transport.request({ method: 'POST', path: '/2', body: 'x' });

      expect(server.connectionCount).toBe(2);
    });

    it('reuses the connection when the announced keep-alive has not run out', async () => {
      const { server, transport } = await start((_request, socket) =>
        socket.write(response('x', 'Keep-Alive: timeout=60\r\n')),
      );

      await transport.request({ method: 'GET', path: '/1' });
      await transport.request({ method: 'POST', path: '/2', body: 'x' });

      expect(server.connectionCount).toBe(1);
    });
  });

  describe('close', () => {
    it('rejects the request in flight and the queued ones with ERR_TRANSPORT_CLOSED when closed', async () => {
      const { server, transport } = await start(() => {});
      const outstanding = ['/hang', '/queued-1', '/queued-2'].map((path) =>
        transport.request({ method: 'GET', path }).catch((e: unknown) => e),
      );
      await server.waitFor((s) => s.requests.length === 1, 'the first request');

      await transport.close();
      const errors = await Promise.all(outstanding);
      const later = await transport.request({ method: 'GET', path: '/after' }).catch((e: unknown) => e);

      for (const error of [...errors, later]) {
        expect(error).toBeInstanceOf(TransportError);
        expect(error).toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
      }
      await server.waitFor((s) => s.openConnectionCount === 0, 'the connection to close');
      expect(server.requests).toHaveLength(1);
    });

    it('throws a TypeError when the origin is not http', () => {
      expect(() => new SocketTransport({ origin: 'https://127.0.0.1:9001' })).toThrow(TypeError);
    });
  });
});
