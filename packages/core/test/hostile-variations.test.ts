import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SpawnedRuntime } from '@lambda-runtime/emulator';
import { describe, expect, it } from 'vitest';
import {
  answerWith,
  errorPath,
  invocation,
  invocationLines,
  type NextAnswer,
  nextBytes,
  responsePath,
} from './hostile-runtime-api-server.js';
import { jsonLogLines, until } from './support.js';
import { useHostileRuntimeApi } from './use-hostile-runtime-api.js';

// The repeat of the adversarial run, with variations: hostile handlers on every transport, and
// byte-level /next and /response variations on the default one. Each asserts that every invocation
// received is answered exactly once, on the right id, and that the process lives (or exits) as the
// protocol says.
const fixture = fileURLToPath(new URL('./fixtures/hostile-variations-handler.mjs', import.meta.url));
const TRANSPORTS = ['socket', 'undici', 'got'] as const;
type TransportName = (typeof TRANSPORTS)[number];

describe('the runtime process against hostile variations', () => {
  const hostile = useHostileRuntimeApi();

  function start(transport: TransportName = 'socket'): SpawnedRuntime {
    return hostile.spawn({
      command: process.execPath,
      args: [fixture],
      environment: hostile.server.environment({ HOSTILE_TRANSPORT: transport }),
    });
  }

  const fatalLines = (spawned: SpawnedRuntime) =>
    jsonLogLines(spawned).filter((line) => line.level === 'FATAL');
  const postedPaths = () => hostile.server.posts.map((r) => r.path);
  const bodyOf = (path: string) => {
    const post = hostile.server.posts.find((r) => r.path === path);
    return post === undefined ? undefined : (JSON.parse(post.body.toString('utf8')) as unknown);
  };

  /** Handler kinds of the fixture, and where each answer must go. */
  const HANDLER_CASES: ReadonlyArray<readonly [kind: string, endpoint: 'response' | 'error']> = [
    ['bigint', 'error'],
    ['circular', 'error'],
    ['throwingGetter', 'error'],
    ['throwingToJSON', 'error'],
    ['proxy', 'error'],
    ['revokedProxy', 'error'],
    ['symbol', 'response'],
    ['promiseOfFunction', 'response'],
    ['thenableThrows', 'error'],
    ['thenGetterThrows', 'error'],
    ['throwNull', 'error'],
    ['throwUndefined', 'error'],
    ['throwSymbol', 'error'],
    ['throwMessageGetter', 'error'],
    ['throwStackGetter', 'error'],
    ['throwOddName', 'error'],
    ['throwProxy', 'error'],
    ['rejectRevoked', 'error'],
    ['callbackThenReject', 'response'],
  ];

  it.each(TRANSPORTS)(
    'items 18, 24, 25, 26, 28: answers every hostile result or thrown value exactly once, on its own id, and keeps serving (%s)',
    async (transport) => {
      const spawned = start(transport);
      for (const [kind] of HANDLER_CASES) hostile.server.queue(invocation(`id-${kind}`, { kind }));
      hostile.server.queue(invocation('id-after', { n: 1 }));

      await until(() => hostile.server.polls.length === HANDLER_CASES.length + 2, 20_000);

      expect(postedPaths()).toEqual([
        ...HANDLER_CASES.map(([kind, endpoint]) =>
          endpoint === 'response' ? responsePath(`id-${kind}`) : errorPath(`id-${kind}`),
        ),
        responsePath('id-after'),
      ]);
      for (const post of hostile.server.posts.filter((r) => r.path.endsWith('/error'))) {
        expect(post.headers['content-type']).toBe('application/json');
        expect(post.headers['lambda-runtime-function-error-type']).toMatch(/^[\x20-\x7e]+$/);
        const document = JSON.parse(post.body.toString('utf8')) as Record<string, unknown>;
        expect(Object.keys(document).sort()).toEqual(['errorMessage', 'errorType', 'stackTrace']);
        expect(typeof document.errorType).toBe('string');
        expect(typeof document.errorMessage).toBe('string');
        expect(Array.isArray(document.stackTrace)).toBe(true);
      }
      for (const kind of ['bigint', 'circular', 'throwingGetter', 'throwingToJSON']) {
        expect(bodyOf(errorPath(`id-${kind}`))).toMatchObject({ errorType: 'Runtime.SerializationError' });
      }
      expect(bodyOf(responsePath('id-symbol'))).toBeNull();
      expect(bodyOf(responsePath('id-promiseOfFunction'))).toBeNull();
      expect(bodyOf(responsePath('id-callbackThenReject'))).toEqual({ first: true });
      expect(fatalLines(spawned)).toHaveLength(0);
      expect(spawned.process.exitCode).toBeNull();
    },
  );

  it.each(TRANSPORTS)(
    'item 29: answers once, then exits non-zero, when a handler calls back twice and then throws asynchronously (%s)',
    async (transport) => {
      const spawned = start(transport);
      hostile.server.queue(invocation('id-twice', { kind: 'callbackTwiceThenThrow' }));

      const exit = await spawned.waitForExit(10_000);

      expect(exit.code).toBe(1);
      expect(postedPaths()).toEqual([responsePath('id-twice')]);
      expect(bodyOf(responsePath('id-twice'))).toEqual({ first: true });
      expect(fatalLines(spawned)).toHaveLength(1);
      expect(hostile.server.polls).toHaveLength(1);
    },
  );

  it.each(TRANSPORTS)(
    'item 18: answers a request id that is not valid UTF-8 on the path of its own bytes, never on another id (%s)',
    async (transport) => {
      const spawned = start(transport);
      // 0xFF, 0xFE and a lone 0xE9 are not UTF-8; "ü" and "🂀" (whose UTF-16 low half is U+DC80) are.
      const idBytes = Buffer.concat([
        Buffer.from('id-'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('-ü-🂀-Jos'),
        Buffer.from([0xe9]),
      ]);
      hostile.server.queue(
        answerWith(
          nextBytes(
            Buffer.concat([
              Buffer.from('Lambda-Runtime-Aws-Request-Id: '),
              idBytes,
              Buffer.from(`\r\nLambda-Runtime-Deadline-Ms: ${Date.now() + 600_000}\r\n`),
            ]),
          ),
        ),
        invocation('id-after', { n: 1 }),
      );

      await until(() => hostile.server.polls.length === 3, 10_000);

      const ownPath = `/2018-06-01/runtime/invocation/${[...idBytes]
        .map((byte) =>
          /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(byte))
            ? String.fromCharCode(byte)
            : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
        )
        .join('')}/response`;
      expect(postedPaths()).toEqual([ownPath, responsePath('id-after')]);
      expect(fatalLines(spawned)).toHaveLength(0);
    },
  );

  it.each(TRANSPORTS)(
    'items 15, 18: answers a request id whose one value reads "id-a, id-a" on that id, not on id-a (%s)',
    async (transport) => {
      const spawned = start(transport);
      hostile.server.queue(invocation('id-a, id-a'), invocation('id-after', { n: 1 }));

      await until(() => hostile.server.polls.length === 3, 10_000);

      expect(postedPaths()).toEqual([responsePath('id-a, id-a'), responsePath('id-after')]);
      expect(bodyOf(responsePath('id-a, id-a'))).toMatchObject({ requestId: 'id-a, id-a' });
      expect(fatalLines(spawned)).toHaveLength(0);
    },
  );

  /** A `/next` head with the usual lines for `requestId` and `extra` (raw, any bytes). */
  const head = (requestId: string, extra = '') => `HTTP/1.1 200 OK\r\n${invocationLines(requestId, extra)}`;
  const closeAfter =
    (bytes: string): NextAnswer =>
    (socket) => {
      socket.write(bytes);
      setTimeout(() => socket.end(), 50);
    };

  const NEXT_VARIATIONS: ReadonlyArray<
    readonly [name: string, requestId: string, answer: NextAnswer, endpoint: 'response' | 'error']
  > = [
    [
      'items 9, 15: header names in mixed case, values padded with blanks and tabs',
      'id-mixed',
      answerWith(
        nextBytes(
          `lAMBDA-runtime-AWS-request-ID: \t id-mixed \t\r\nlambda-RUNTIME-deadline-ms:\t ${Date.now() + 600_000} \r\n`,
        ),
      ),
      'response',
    ],
    [
      'item 18: a request id with %, /, ?, # and a space, percent-encoded exactly once',
      'a%2Fb/c?d#e f%',
      invocation('a%2Fb/c?d#e f%'),
      'response',
    ],
    ['item 18: a request id of 64 KiB', 'x'.repeat(64 * 1024), invocation('x'.repeat(64 * 1024)), 'response'],
    [
      'item 9: an interim 100 Continue before the answer',
      'id-100',
      answerWith(
        Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), nextBytes(invocationLines('id-100'))]),
      ),
      'response',
    ],
    [
      'item 9: a chunked body with chunk extensions and trailers',
      'id-chunked',
      answerWith(
        `${head('id-chunked')}Transfer-Encoding: chunked\r\n\r\n5;ext="x"\r\n{"a":\r\n2;e\r\n1}\r\n0\r\nX-Trailer: t\r\n\r\n`,
      ),
      'response',
    ],
    [
      'item 9: an HTTP/1.0 answer whose body ends with the connection',
      'id-http10',
      closeAfter(`HTTP/1.0 200 OK\r\n${invocationLines('id-http10')}\r\n{"a":1}`),
      'response',
    ],
    [
      'items 13, 17: a body cut short by a closed connection',
      'id-cut',
      closeAfter(`${head('id-cut')}Content-Length: 100\r\n\r\n{"a":1`),
      'error',
    ],
    [
      'items 13, 17: a chunked body cut short by a closed connection',
      'id-chunk-cut',
      closeAfter(`${head('id-chunk-cut')}Transfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n`),
      'error',
    ],
    [
      'items 13, 17: an obsolete folded header line',
      'id-fold',
      answerWith(nextBytes(invocationLines('id-fold', 'X-Folded: a\r\n  continued\r\n'))),
      'error',
    ],
    [
      'items 13, 17: two different Content-Length values',
      'id-lengths',
      answerWith(`${head('id-lengths')}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} `),
      'error',
    ],
    ...['soon', '-5', '1e400', '99999999999999999999999999'].map(
      (deadline) =>
        [
          `items 10, 13: the deadline ${deadline}`,
          `id-deadline-${deadline}`,
          answerWith(
            nextBytes(
              `Lambda-Runtime-Aws-Request-Id: id-deadline-${deadline}\r\nLambda-Runtime-Deadline-Ms: ${deadline}\r\n`,
            ),
          ),
          'error',
        ] as const,
    ),
    ...['[1,2]', '42', 'null'].map(
      (json) =>
        [
          `items 12, 13: a client context that is JSON but not an object (${json})`,
          `id-context-${json}`,
          invocation(`id-context-${json}`, {}, `Lambda-Runtime-Client-Context: ${json}\r\n`),
          'error',
        ] as const,
    ),
    [
      'item 9: an event of 6 MB',
      'id-6mb',
      invocation('id-6mb', { kind: 'size', data: 'x'.repeat(6 * 1024 * 1024) }),
      'response',
    ],
  ];

  it.each(NEXT_VARIATIONS)(
    '%s: answers the invocation exactly once, then serves the next one (default transport)',
    async (_name, requestId, answer, endpoint) => {
      const spawned = start();
      hostile.server.queue(answer, invocation('id-after', { n: 1 }));

      await until(() => hostile.server.polls.length === 3, 15_000);

      expect(postedPaths()).toEqual([
        endpoint === 'response' ? responsePath(requestId) : errorPath(requestId),
        responsePath('id-after'),
      ]);
      if (endpoint === 'error') {
        expect(bodyOf(errorPath(requestId))).toMatchObject({ errorType: 'Runtime.MalformedInvocation' });
      }
      expect(fatalLines(spawned)).toHaveLength(0);
    },
  );

  it('item 12: keeps __proto__ in the client context as data, polluting no prototype', async () => {
    start();
    hostile.server.queue(
      invocation(
        'id-proto',
        {},
        'Lambda-Runtime-Client-Context: {"__proto__":{"polluted":1},"custom":{"__proto__":{"polluted":2}}}\r\n',
      ),
    );

    await until(() => hostile.server.polls.length === 2, 10_000);

    const body = bodyOf(responsePath('id-proto')) as Record<string, unknown>;
    expect(body.polluted).toBeNull();
    expect(body.clientContext).toEqual(
      JSON.parse('{"__proto__":{"polluted":1},"custom":{"__proto__":{"polluted":2}}}'),
    );
  });

  /**
   * `/response` answers that are odd but well-formed HTTP: the invocation counts as answered. Each
   * calls `written` once its last byte is out.
   */
  const RESPONSE_VARIATIONS: ReadonlyArray<
    readonly [name: string, answer: (socket: Socket, written: () => void) => void]
  > = [
    [
      '202 after a delay',
      (socket, written) =>
        setTimeout(() => {
          socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n');
          written();
        }, 300),
    ],
    [
      '202 with Connection: close',
      (socket, written) => {
        socket.end('HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        written();
      },
    ],
    [
      '202 with a body and no Content-Length',
      (socket, written) => {
        socket.write('HTTP/1.1 202 Accepted\r\n\r\n{"status":"OK"}');
        setTimeout(() => {
          socket.end();
          written();
        }, 50);
      },
    ],
    [
      '204 without a body',
      (socket, written) => {
        socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        written();
      },
    ],
  ];

  describe.each(TRANSPORTS)('over %s', (transport) => {
    it.each(RESPONSE_VARIATIONS)(
      'item 21: goes on to the next invocation when /response is answered %s',
      async (_name, answer) => {
        const spawned = start(transport);
        let written = false;
        hostile.server.onPost = (request, socket) => {
          if (request.path !== responsePath('id-odd')) return false;
          answer(socket, () => {
            written = true;
          });
          return true;
        };
        hostile.server.queue(invocation('id-odd'));
        // The next invocation only once the odd answer is out: a /next pipelined behind the
        // /response must not be answered ahead of it.
        await until(() => written, 10_000);
        hostile.server.queue(invocation('id-after', { n: 1 }));

        await until(() => hostile.server.posts.some((r) => r.path === responsePath('id-after')), 10_000);

        expect(postedPaths()).toEqual([responsePath('id-odd'), responsePath('id-after')]);
        expect(fatalLines(spawned)).toHaveLength(0);
        expect(spawned.process.exitCode).toBeNull();
      },
    );
  });
});
