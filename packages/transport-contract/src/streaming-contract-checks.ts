import { deepEqual, equal, fail, ok } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { StreamingTransportRequest, Transport, TransportRequestStream } from '@lambda-runtime/api';
import { type StreamedRequest, StreamingContractServer } from './streaming-contract-server.js';
import {
  bytesEqual,
  type ContractTransportFactory,
  closedPortOrigin,
  DEFAULT_TIMEOUT_MS,
  expectTransportError,
  type Harness,
  STEP_MS,
  sleep,
  type TransportContractCheck,
  within,
  withServer,
} from './transport-contract-checks.js';

/** The names Lambda's streaming responses announce as trailers (runtime-api.md section 7.2). */
const TRAILER_NAMES = 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body';
const STREAM_PATH = '/2018-06-01/runtime/invocation/stream-id-1/response';

/** The head of a streamed Runtime API response, as the runtime sends it. */
function streamingRequest(extraHeaders: Record<string, string> = {}): StreamingTransportRequest {
  return {
    method: 'POST',
    path: STREAM_PATH,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Content-Type': 'application/vnd.awslambda.http-integration-response',
      Trailer: TRAILER_NAMES,
      ...extraHeaders,
    },
  };
}

/** Grace after which a `write` still pending is taken as held back by the server's backpressure. */
const STALL_GRACE_MS = 300;
/** Chunk size of the backpressure check. */
const BACKPRESSURE_CHUNK = 64 * 1024;
/**
 * More than any loopback socket buffers can hold (Linux: up to 4 MiB send + 32 MiB receive): a
 * transport that accepted this much while the server read nothing has no backpressure.
 */
const BACKPRESSURE_CAP = 48 * 1024 * 1024;

function openStream(transport: Transport, request: StreamingTransportRequest): TransportRequestStream {
  ok(
    typeof transport.openStream === 'function',
    'the transport has no openStream: pass { streaming: false } to declare it cannot stream (item 39)',
  );
  return transport.openStream(request);
}

async function withStreamServer(
  createTransport: ContractTransportFactory,
  server: StreamingContractServer,
  body: (harness: Harness<StreamingContractServer>) => Promise<void>,
): Promise<void> {
  return withServer(createTransport, server, body);
}

async function firstStream(server: StreamingContractServer, what: string): Promise<StreamedRequest> {
  await server.waitFor(
    () => server.streams.length > 0 && server.streams[0]?.head !== undefined,
    STEP_MS,
    what,
  );
  return server.streams[0] as StreamedRequest;
}

/** The raw bytes after the head, as received. */
function rawBody(stream: StreamedRequest): Buffer {
  return Buffer.concat(stream.bodyRaw);
}

function assertWellFormed(stream: StreamedRequest): void {
  equal(stream.malformed, undefined, 'chunked framing at the server');
  ok(stream.complete, 'the body ended with the terminating chunk');
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Settles to `'pending'` when `promise` has not settled after `ms`. */
async function settledWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved' as const,
        () => 'rejected' as const,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const check = (title: string, run: TransportContractCheck['run']): TransportContractCheck => ({
  title,
  timeoutMs: () => DEFAULT_TIMEOUT_MS,
  run,
});

/**
 * The streaming checks of the transport contract (`Transport.openStream`, runtime-api.md section 7,
 * checklist items 32-37 at transport level). A transport declared `{ streaming: false }` runs only
 * {@link streamingDeclaration}. Each check runs against a {@link StreamingContractServer}.
 *
 * @example
 * ```ts
 * await streamingContractChecks.streamTrailers.run((origin) => new SocketTransport({ origin }));
 * ```
 */
export const streamingContractChecks = {
  streamHead: check(
    'item 32: sends the head before any body byte, with Transfer-Encoding: chunked, the Trailer header as given and no Content-Length',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const stream = openStream(transport, streamingRequest({ 'Content-Length': '99' }));

        const received = await firstStream(server, 'the head, before any write');
        const answer = await within(stream.end(), STEP_MS, 'end()');

        const [requestLine] = (received.head ?? '').split('\r\n');
        equal(requestLine, `POST ${STREAM_PATH} HTTP/1.1`, 'request line');
        equal(received.headers['lambda-runtime-function-response-mode'], 'streaming');
        equal(received.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
        equal(received.headers.trailer, TRAILER_NAMES, 'Trailer header');
        equal(received.headers['transfer-encoding'], 'chunked', 'Transfer-Encoding');
        equal(received.headers['content-length'], undefined, 'no Content-Length');
        equal(answer.status, 202);
      }),
  ),

  streamChunkBeforeEnd: check(
    'item 33: a written chunk reaches the server before end() is called, and the next one after it',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const stream = openStream(transport, streamingRequest());
        const received = await firstStream(server, 'the head');

        await within(stream.write(text('first token ')), STEP_MS, 'write 1');
        await server.waitFor(() => received.chunks.length === 1, STEP_MS, 'the first chunk, before end()');
        await within(stream.write(text('second token')), STEP_MS, 'write 2');
        await server.waitFor(() => received.chunks.length === 2, STEP_MS, 'the second chunk, before end()');
        const complete = received.complete;
        const answer = await within(stream.end(), STEP_MS, 'end()');

        equal(complete, false, 'the body had not ended when both chunks were read');
        deepEqual(
          received.chunks.map((c) => c.toString()),
          ['first token ', 'second token'],
        );
        assertWellFormed(received);
        equal(answer.status, 202);
      }),
  ),

  streamBackpressure: check(
    'item 33: write() stays pending while the server reads nothing, and resumes when it reads again',
    async (createTransport) => {
      const server = new StreamingContractServer({
        keepBytes: false,
        onHead: (request) => request.socket.pause(),
      });
      await withStreamServer(createTransport, server, async ({ transport }) => {
        const stream = openStream(transport, streamingRequest());
        const received = await firstStream(server, 'the head');
        const written = createHash('sha256');
        let accepted = 0;
        let index = 0;
        let stalled: Promise<void> | undefined;

        while (stalled === undefined) {
          const chunk = Buffer.alloc(BACKPRESSURE_CHUNK, index % 251);
          index += 1;
          written.update(chunk);
          const write = stream.write(chunk);
          const state = await settledWithin(write, STALL_GRACE_MS);
          if (state === 'rejected') await write;
          if (state === 'pending') stalled = write;
          else accepted += chunk.length;
          if (accepted > BACKPRESSURE_CAP)
            fail(`write() kept resolving for ${accepted} bytes while the server read nothing`);
        }
        const readWhileStalled = received.bodyBytes;
        received.socket.resume();
        await within(stalled, STEP_MS, 'the held-back write once the server reads again');
        const answer = await within(stream.end(), STEP_MS, 'end()');

        ok(readWhileStalled <= accepted, 'the server read nothing past what was accepted');
        assertWellFormed(received);
        equal(received.bodyBytes, index * BACKPRESSURE_CHUNK, 'every byte arrived');
        equal(received.digest(), written.digest('hex'), 'the bytes arrived unchanged');
        equal(answer.status, 202);
      });
    },
  ),

  streamTerminator: check(
    'items 34, 36: ends with 0\\r\\n\\r\\n and resolves end() with the 202, also for an empty stream; empty chunks are skipped',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const empty = openStream(transport, streamingRequest());
        const emptyAnswer = await within(empty.end(), STEP_MS, 'end() of an empty stream');
        const stream = openStream(transport, streamingRequest());
        await within(stream.write(text('hello')), STEP_MS, 'write');
        await within(stream.write(new Uint8Array(0)), STEP_MS, 'an empty write');
        await within(stream.write(text(' world')), STEP_MS, 'write');
        const answer = await within(stream.end(), STEP_MS, 'end()');

        const [first, second] = server.streams;
        ok(first !== undefined && second !== undefined, 'two streamed requests');
        assertWellFormed(first);
        equal(rawBody(first).toString('latin1'), '0\r\n\r\n', 'an empty stream: the terminator only');
        assertWellFormed(second);
        deepEqual(
          second.chunks.map((c) => c.toString()),
          ['hello', ' world'],
          'one chunk per non-empty write',
        );
        ok(
          rawBody(second).toString('latin1').endsWith(' world\r\n0\r\n\r\n'),
          'terminator after the last chunk',
        );
        equal(emptyAnswer.status, 202);
        equal(answer.status, 202);
        equal(Buffer.from(answer.body).toString(), '{"status":"OK"}');
        equal(answer.headers['content-type'], 'application/json');
      }),
  ),

  streamTrailers: check(
    'items 35, 36: sends the trailers after the last chunk byte-exact, also when no byte was written',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const document = JSON.stringify({ errorType: 'Runtime.StreamError', errorMessage: 'db closed ü' });
        const trailers = {
          'Lambda-Runtime-Function-Error-Type': 'Runtime.StreamError',
          'Lambda-Runtime-Function-Error-Body': Buffer.from(document).toString('base64'),
        };
        const section =
          `Lambda-Runtime-Function-Error-Type: Runtime.StreamError\r\n` +
          `Lambda-Runtime-Function-Error-Body: ${trailers['Lambda-Runtime-Function-Error-Body']}\r\n\r\n`;

        const stream = openStream(transport, streamingRequest());
        await within(stream.write(text('hello ')), STEP_MS, 'write');
        const answer = await within(stream.end(trailers), STEP_MS, 'end(trailers)');
        const empty = openStream(transport, streamingRequest());
        const emptyAnswer = await within(empty.end(trailers), STEP_MS, 'end(trailers) with no write');

        const [failed, failedEmpty] = server.streams;
        ok(failed !== undefined && failedEmpty !== undefined, 'two streamed requests');
        assertWellFormed(failed);
        equal(failed.trailerSection, section, 'the trailer section');
        ok(
          rawBody(failed).toString('latin1').endsWith(`hello \r\n0\r\n${section}`),
          'trailers after the last chunk',
        );
        equal(
          Buffer.from(failed.trailerSection.split('\r\n')[1]?.split(': ')[1] ?? '', 'base64').toString(),
          document,
          'the body trailer decodes to the document',
        );
        assertWellFormed(failedEmpty);
        equal(rawBody(failedEmpty).toString('latin1'), `0\r\n${section}`, 'an empty stream with trailers');
        equal(answer.status, 202);
        equal(emptyAnswer.status, 202);
      }),
  ),

  streamFirstBytes: check(
    'item 37: the first body bytes are exactly those written (a JSON prelude and eight 0x00), also when no payload follows, and binary bytes pass unchanged',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const prelude = Buffer.concat([
          Buffer.from('{"statusCode":200,"headers":{"Content-Type":"text/plain"},"cookies":["a=1"]}'),
          Buffer.alloc(8, 0),
        ]);
        // A view into a larger buffer, at an offset: only its own bytes may be sent.
        const binary = new Uint8Array(512).subarray(128, 384);
        binary.forEach((_, i) => {
          binary[i] = i;
        });

        const alone = openStream(transport, streamingRequest());
        await within(alone.write(prelude), STEP_MS, 'the prelude');
        await within(alone.end(), STEP_MS, 'end() after the prelude alone');
        const withPayload = openStream(transport, streamingRequest());
        await within(withPayload.write(prelude.subarray(0, prelude.length - 8)), STEP_MS, 'the JSON');
        await within(withPayload.write(new Uint8Array(8)), STEP_MS, 'the eight NULs');
        await within(withPayload.write(binary), STEP_MS, 'the payload');
        await within(withPayload.end(), STEP_MS, 'end()');

        const [first, second] = server.streams;
        ok(first !== undefined && second !== undefined, 'two streamed requests');
        assertWellFormed(first);
        bytesEqual(Buffer.concat(first.chunks), prelude, 'the body of a prelude alone');
        equal(
          rawBody(first).toString('latin1'),
          `${prelude.length.toString(16)}\r\n${prelude.toString('latin1')}\r\n0\r\n\r\n`,
          'the prelude as one chunk, then the terminator',
        );
        assertWellFormed(second);
        bytesEqual(
          Buffer.concat(second.chunks),
          Buffer.concat([prelude, binary]),
          'prelude, NULs and payload',
        );
      }),
  ),

  streamEarlyAnswer: check(
    'resolves response and end() with an answer sent before the body ended (413), and write() then rejects with TransportError',
    async (createTransport) => {
      const server = new StreamingContractServer({
        onChunk: (request) => {
          if (request.chunks.length !== 1) return;
          request.socket.write(
            'HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 17\r\n\r\n{"too":"large!!"}',
          );
          // Half-close: keep reading what the client still sends, so it sees no reset.
          request.socket.end();
        },
      });
      await withStreamServer(createTransport, server, async ({ transport }) => {
        const stream = openStream(transport, streamingRequest());
        await within(stream.write(text('too much')), STEP_MS, 'the first write');

        const early = await within(stream.response, STEP_MS, 'the early answer');
        const refused = await expectTransportError(stream.write(text('more')), 'a write after the answer');
        const ended = await within(stream.end(), STEP_MS, 'end() after the answer');

        equal(early.status, 413);
        equal(Buffer.from(early.body).toString(), '{"too":"large!!"}');
        equal(refused.code, 'ERR_STREAM_ANSWERED');
        equal(refused.response?.status, 413, 'TransportError.response says the server answered');
        equal(ended.status, 413);
      });
    },
  ),

  streamOwnConnection: check(
    'sends each stream on a connection of its own, closed after the answer, while requests keep the kept-alive connection and are not held behind an open stream',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const before = await within(transport.request({ method: 'GET', path: '/next/1' }), STEP_MS, 'GET 1');
        const stream = openStream(transport, streamingRequest());
        await within(stream.write(text('streaming')), STEP_MS, 'write');
        const during = await within(
          transport.request({ method: 'GET', path: '/next/2' }),
          STEP_MS,
          'a GET while the stream is open',
        );
        const answer = await within(stream.end(), STEP_MS, 'end()');
        const received = await firstStream(server, 'the stream');
        await server.waitFor(
          () => received.closed,
          STEP_MS,
          'the stream connection to close after the answer',
        );
        const after = await within(transport.request({ method: 'GET', path: '/next/3' }), STEP_MS, 'GET 3');

        equal(before.status, 200);
        equal(during.status, 200);
        equal(after.status, 200);
        equal(answer.status, 202);
        const plainConnections = new Set(server.plainRequests.map((r) => r.connection));
        equal(plainConnections.size, 1, 'the requests shared one kept-alive connection');
        ok(!plainConnections.has(received.connection), 'the stream had a connection of its own');
        equal(server.connectionCount, 2, 'connections opened');
      }),
  ),

  streamRefused: check(
    'rejects end() and response with TransportError ECONNREFUSED when nothing listens, with no unhandled rejection when response is never read',
    async (createTransport) => {
      const origin = await closedPortOrigin();
      const transport = await createTransport(origin);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const unread = openStream(transport, streamingRequest());
        const stream = openStream(transport, streamingRequest());

        await stream.write(text('lost')).catch(() => {});
        const error = await expectTransportError(stream.end(), 'end() toward a closed port');
        await expectTransportError(stream.response, 'response toward a closed port');
        await sleep(50);
        const unreadError = await expectTransportError(unread.response, 'the unread stream');

        equal(error.code, 'ECONNREFUSED');
        equal(unreadError.code, 'ECONNREFUSED');
        deepEqual(unhandled, [], 'unhandled rejections');
      } finally {
        process.off('unhandledRejection', onUnhandled);
        await within(transport.close(), STEP_MS, 'transport.close()').catch(() => {});
      }
    },
  ),

  streamResetMidBody: check(
    'rejects response, write() and end() with TransportError when the server resets the connection mid-body',
    async (createTransport) => {
      const server = new StreamingContractServer({
        onChunk: (request) => request.socket.resetAndDestroy(),
      });
      await withStreamServer(createTransport, server, async ({ transport }) => {
        const stream = openStream(transport, streamingRequest());
        await stream.write(text('cut here')).catch(() => {});

        await expectTransportError(stream.response, 'response after a reset');
        await expectTransportError(stream.write(text('more')), 'a write after the reset');
        await expectTransportError(stream.end(), 'end() after the reset');
      });
    },
  ),

  streamAbort: check(
    'abort() cuts the body without the terminating chunk, and close() cuts a stream still open; response rejects with TransportError',
    async (createTransport) =>
      withStreamServer(createTransport, new StreamingContractServer(), async ({ server, transport }) => {
        const aborted = openStream(transport, streamingRequest());
        await within(aborted.write(text('partial')), STEP_MS, 'write');
        await server.waitFor(() => server.streams[0]?.chunks.length === 1, STEP_MS, 'the chunk');
        aborted.abort(new Error('the handler failed'));
        const closed = openStream(transport, streamingRequest());
        await within(closed.write(text('partial')), STEP_MS, 'write');
        await server.waitFor(() => server.streams[1]?.chunks.length === 1, STEP_MS, 'the chunk');
        await within(transport.close(), STEP_MS, 'transport.close()');

        await expectTransportError(aborted.response, 'response of an aborted stream');
        await expectTransportError(closed.response, 'response of a stream cut by close()');
        await expectTransportError(aborted.write(text('more')), 'a write after abort()');
        await server.waitFor(
          () => server.streams.every((s) => s.closed),
          STEP_MS,
          'the server to see both connections close',
        );
        for (const stream of server.streams) {
          equal(stream.complete, false, 'no terminating chunk');
          equal(stream.malformed, undefined, 'the chunks before the cut were well-formed');
        }
      }),
  ),
} as const satisfies Record<string, TransportContractCheck>;

/**
 * Item 39: a transport either streams (has `openStream`, and then passes every check of
 * {@link streamingContractChecks}) or declares it cannot (`{ streaming: false }`, and has none).
 *
 * @example
 * ```ts
 * await streamingDeclaration.run((origin) => new UndiciTransport({ origin }), { streaming: false });
 * ```
 */
export const streamingDeclaration: TransportContractCheck = {
  title:
    'item 39: has openStream when it declares streaming, and none when it declares streaming unsupported',
  timeoutMs: () => DEFAULT_TIMEOUT_MS,
  run: async (createTransport, options = {}) => {
    const transport = await createTransport('http://127.0.0.1:9');
    try {
      const streams = typeof transport.openStream === 'function';

      equal(streams, options.streaming !== false, 'openStream present exactly when streaming is declared');
    } finally {
      await transport.close();
    }
  },
};

/** The name of one streaming check. */
export type StreamingContractCheckName = keyof typeof streamingContractChecks;
