import { ProtocolError, type Transport } from '@lambda-runtime/api';
import { GotTransport } from '@lambda-runtime/transport-got';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { UndiciTransport } from '@lambda-runtime/transport-undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeApiClient } from '../src/index.js';
import {
  answerWith,
  errorPath,
  HostileRuntimeApiServer,
  invocation,
  invocationLines,
  nextBytes,
  responsePath,
} from './hostile-runtime-api-server.js';
import { useHostileRuntimeApi } from './use-hostile-runtime-api.js';

const TRANSPORTS: ReadonlyArray<readonly [string, (origin: string) => Transport]> = [
  ['SocketTransport', (origin) => new SocketTransport({ origin })],
  ['SocketTransport (pipelining)', (origin) => new SocketTransport({ origin, pipelining: true })],
  ['UndiciTransport', (origin) => new UndiciTransport({ origin })],
  ['GotTransport', (origin) => new GotTransport({ origin })],
];

const JSON_BODY = { body: '{"ok":true}', contentType: 'application/json' };
/** A header line far over every transport's head limit (256 KiB). */
const HUGE_LINE = `X-Huge: ${'h'.repeat(300 * 1024)}\r\n`;

function errorDocument(body: Buffer): { errorType: string; errorMessage: string } {
  return JSON.parse(body.toString('utf8')) as { errorType: string; errorMessage: string };
}

describe.each(TRANSPORTS)('RuntimeApiClient against a hostile Runtime API, over %s', (_name, create) => {
  const hostile = useHostileRuntimeApi();
  let transport: Transport;
  let client: RuntimeApiClient;

  // Runs after the server's hook (and its afterEach before the server closes).
  beforeEach(() => {
    transport = create(`http://${hostile.server.runtimeApi}`);
    client = new RuntimeApiClient(transport);
  });

  afterEach(async () => {
    await transport.close();
  });

  it('items 9, 12, 14: hands UTF-8 header values over intact when client context, identity and tenant id are not ASCII', async () => {
    const clientContext = '{"custom":{"name":"José 🚀"},"env":{"locale":"日本"}}';
    const identity = '{"cognitoIdentityId":"Zoë","cognitoIdentityPoolId":"pool-ø"}';
    hostile.server.queue(
      invocation(
        'id-1',
        {},
        `Lambda-Runtime-Client-Context: ${clientContext}\r\nLambda-Runtime-Cognito-Identity: ${identity}\r\n` +
          'Lambda-Runtime-Aws-Tenant-Id: tenant-ünï\r\n',
      ),
    );

    const next = await client.next();

    expect(next.clientContext).toBe(clientContext);
    expect(next.cognitoIdentity).toBe(identity);
    expect(next.tenantId).toBe('tenant-ünï');
  });

  it('item 18: posts the answer to the request id percent-encoded once from its UTF-8 bytes when the id is not ASCII', async () => {
    const requestId = 'ünï-🎉-José';
    hostile.server.queue(invocation(requestId));

    const next = await client.next();
    const posted = await client.postResponse(next.requestId, JSON_BODY);

    expect(next.requestId).toBe(requestId);
    expect(posted.status).toBe(202);
    expect(hostile.server.posts.map((r) => r.path)).toEqual([
      '/2018-06-01/runtime/invocation/%C3%BCn%C3%AF-%F0%9F%8E%89-Jos%C3%A9/response',
    ]);
  });

  it('items 15, 18: counts identical repeated request ids and content types once when a /next repeats them', async () => {
    hostile.server.queue(
      invocation(
        'id-twice',
        {},
        'Lambda-Runtime-Aws-Request-Id: id-twice\r\nContent-Type: application/json\r\nContent-Type: application/json\r\n',
      ),
    );

    const next = await client.next();
    await client.postResponse(next.requestId, JSON_BODY);

    expect(next.requestId).toBe('id-twice');
    expect(next.contentType).toBe('application/json');
    expect(hostile.server.posts.map((r) => r.path)).toEqual([responsePath('id-twice')]);
  });

  it('items 13, 17: answers every id on /error as a malformed invocation, then polls again, when a /next names different request ids', async () => {
    hostile.server.queue(
      invocation('id-a', {}, 'Lambda-Runtime-Aws-Request-Id: id-b\r\n'),
      invocation('id-after'),
    );

    const next = await client.next();

    expect(next.requestId).toBe('id-after');
    expect(hostile.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /2018-06-01/runtime/invocation/next',
      `POST ${errorPath('id-a')}`,
      `POST ${errorPath('id-b')}`,
      'GET /2018-06-01/runtime/invocation/next',
    ]);
    for (const post of hostile.server.posts) {
      expect(errorDocument(post.body).errorType).toBe('Runtime.MalformedInvocation');
      expect(post.headers['lambda-runtime-function-error-type']).toBe('Runtime.MalformedInvocation');
    }
  });

  it('items 9, 13: answers on /error instead of delivering a joined content type when a /next repeats it with different values', async () => {
    hostile.server.queue(
      invocation('id-types', {}, 'Content-Type: application/json\r\nContent-Type: text/plain\r\n'),
      invocation('id-after'),
    );

    const next = await client.next();

    expect(next.requestId).toBe('id-after');
    expect(hostile.server.posts.map((r) => r.path)).toEqual([errorPath('id-types')]);
    expect(errorDocument(hostile.server.posts[0]?.body ?? Buffer.alloc(0)).errorMessage).toContain(
      'content-type',
    );
  });

  it('items 13, 17: answers on /error, then polls again, when a /next body is cut short after its head', async () => {
    hostile.server.queue((socket) => {
      const head = nextBytes(invocationLines('id-cut'), '')
        .toString('latin1')
        .replace('Content-Length: 0', 'Content-Length: 100');
      socket.write(`${head}{"partial":`, () => socket.destroy());
    }, invocation('id-after'));

    const next = await client.next();

    expect(next.requestId).toBe('id-after');
    expect(hostile.server.posts.map((r) => r.path)).toEqual([errorPath('id-cut')]);
    expect(errorDocument(hostile.server.posts[0]?.body ?? Buffer.alloc(0)).errorType).toBe(
      'Runtime.MalformedInvocation',
    );
    expect(hostile.server.polls).toHaveLength(2);
  });

  it('items 16, 17: rejects with ProtocolError, never polling again, when a /next head is over the limit and has no request id', async () => {
    hostile.server.queue(answerWith(nextBytes(`Lambda-Runtime-Deadline-Ms: 1\r\n${HUGE_LINE}`)));

    const error = await client.next().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProtocolError);
    expect(String(error)).toContain('lambda-runtime-aws-request-id');
    expect(hostile.server.polls).toHaveLength(1);
    expect(hostile.server.posts).toHaveLength(0);
  });
});

describe('RuntimeApiClient over SocketTransport, when a /next head is over the limit', () => {
  it('items 13, 17: answers on /error, then polls again, when the request id can be read before or after the oversized field', async () => {
    for (const order of ['id first', 'id last'] as const) {
      const server = new HostileRuntimeApiServer();
      await server.listen();
      const transport = new SocketTransport({ origin: `http://${server.runtimeApi}`, pipelining: true });
      const client = new RuntimeApiClient(transport);
      const lines =
        order === 'id first'
          ? invocationLines('id-huge') + HUGE_LINE
          : HUGE_LINE + invocationLines('id-huge');
      server.queue(answerWith(nextBytes(lines)), invocation('id-after'));

      try {
        const next = await client.next();

        expect(next.requestId, order).toBe('id-after');
        expect(
          server.posts.map((r) => r.path),
          order,
        ).toEqual([errorPath('id-huge')]);
        expect(errorDocument(server.posts[0]?.body ?? Buffer.alloc(0)).errorMessage, order).toContain(
          'head too large',
        );
      } finally {
        await transport.close();
        await server.close();
      }
    }
  });
});
