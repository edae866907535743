import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  InvalidStreamingOperationError,
  type ResponseStream,
  type StreamingHandler,
  type Transport,
} from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import { httpResponseStream, streamingHandler } from '@lambda-runtime/handlers';
import { GotTransport } from '@lambda-runtime/transport-got';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { UndiciTransport } from '@lambda-runtime/transport-undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefaultRuntimeLoop, type StreamingResponderOptions } from '../src/index.js';
import { NodeHttpStreamTransport, type ReceivedRequest, StreamingApiServer } from './streaming-support.js';
import { memoryLogger } from './support.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTREAMKEY';
const TRAILER = 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body';
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

let server: StreamingApiServer;
let stopLoop: (() => Promise<void>) | undefined;

beforeEach(async () => {
  server = new StreamingApiServer();
  await server.listen();
});

afterEach(async () => {
  await stopLoop?.();
  stopLoop = undefined;
  await server.close();
});

/** Runs a loop in this process with a streaming transport (node:http) and the given handler. */
function startLoop(handler: StreamingHandler<never>, streaming: StreamingResponderOptions = {}) {
  return startLoopWith(makeTransport, handler, streaming);
}

/** Every transport that can stream, plus node:http as the baseline the others are held to. */
const TRANSPORTS: ReadonlyArray<readonly [string, (origin: string) => Transport]> = (
  [
    ['node:http', (origin) => new NodeHttpStreamTransport(new SocketTransport({ origin }), origin)],
    ['socket', (origin) => new SocketTransport({ origin, pipelining: true })],
    ['undici', (origin) => new UndiciTransport({ origin })],
    ['got', (origin) => new GotTransport({ origin })],
  ] as const satisfies ReadonlyArray<readonly [string, (origin: string) => Transport]>
).filter(([, make]) => canStream(make));

function canStream(make: (origin: string) => Transport): boolean {
  const transport = make('http://127.0.0.1:9');
  void transport.close().catch(() => undefined);
  return typeof transport.openStream === 'function';
}

let makeTransport: (origin: string) => Transport;

function startLoopWith(
  make: (origin: string) => Transport,
  handler: StreamingHandler<never>,
  streaming: StreamingResponderOptions = {},
) {
  const environment = new ProcessEnvironmentReader({
    env: {
      AWS_LAMBDA_RUNTIME_API: server.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'streaming',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
    },
  }).read();
  const transport = make(server.origin);
  const { logger, lines } = memoryLogger();
  const loop = new DefaultRuntimeLoop(
    transport,
    new DefaultContextBuilder(environment),
    new DefaultPayloadCodec(),
    logger,
    environment,
    { streaming },
  );
  const running = loop.run(handler as never);
  running.catch(() => undefined);
  stopLoop = async () => {
    loop.stop();
    await server.close();
    await running.catch(() => undefined);
    await transport.close();
  };
  return { lines, running };
}

/** Invokes once and waits until its answer (streamed or buffered) has fully arrived. */
async function invoke(requestId: string, body = '{}'): Promise<ReceivedRequest> {
  server.enqueue({ requestId, body });
  await server.waitFor(() => server.answers(requestId).some((r) => r.complete));
  const [answer] = server.answers(requestId);
  return answer as ReceivedRequest;
}

function decodeErrorBody(request: ReceivedRequest): unknown {
  const body = request.trailers['lambda-runtime-function-error-body'] ?? '';
  return JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
}

describe.each(TRANSPORTS)('response streaming (DefaultRuntimeLoop over %s)', (_name, make) => {
  beforeEach(() => {
    makeTransport = make;
  });

  it('item 32: sends the streaming mode, chunked encoding, the default content type and the Trailer header, without Content-Length', async () => {
    startLoop(streamingHandler(async (_event, stream) => stream.end('hello')));

    const answer = await invoke('id-32');

    expect(answer.method).toBe('POST');
    expect(answer.path).toBe('/2018-06-01/runtime/invocation/id-32/response');
    expect(answer.headers['lambda-runtime-function-response-mode']).toBe('streaming');
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    expect(answer.headers.trailer).toBe(TRAILER);
    expect(answer.headers['content-length']).toBeUndefined();
    expect(answer.headers['user-agent']).toMatch(/^lambda-runtime\//);
    expect(answer.body.toString()).toBe('hello');
  });

  it('item 32: sends the content type the handler set before its first write', async () => {
    startLoop(
      streamingHandler(async (_event, stream) => {
        stream.setContentType('text/event-stream');
        stream.end('data: 1\n\n');
      }),
    );

    const answer = await invoke('id-32-type');

    expect(answer.headers['content-type']).toBe('text/event-stream');
  });

  it('item 33: bytes written by the handler reach the server before the handler finishes', async () => {
    const seenByServer = (): boolean => server.answers('id-33').some((r) => r.body.toString() === 'first ');
    let serverHadFirstBeforeEnd: boolean | undefined;
    startLoop(
      streamingHandler(async (_event, stream) => {
        stream.write('first ');
        // Resolves only once the server holds the first bytes: a runtime that held them back until
        // the handler returned would never get here (the test then times out).
        await server.waitFor(seenByServer);
        serverHadFirstBeforeEnd = !server.answers('id-33').some((r) => r.complete);
        stream.end('second');
      }),
    );

    const answer = await invoke('id-33');

    expect(serverHadFirstBeforeEnd).toBe(true);
    expect(answer.body.toString()).toBe('first second');
    expect(answer.chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('item 33: a server that stops reading stops the handler writing (backpressure), and every byte arrives after it reads again', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const ceiling = 512 * 1024 * 1024;
    let produced = 0;
    let stop = false;
    server.pauseStreams(true);
    startLoop(
      streamingHandler(async (_event, stream) => {
        await pipeline(
          Readable.from(
            (function* () {
              while (!stop && produced < ceiling) {
                produced += chunk.length;
                yield chunk;
              }
            })(),
          ),
          stream,
        );
      }),
    );
    server.enqueue({ requestId: 'id-33-slow' });
    await server.waitFor(() => server.answers('id-33-slow').length > 0);

    // Wait until the producer makes no progress for 40 turns of 5 ms: it is blocked.
    let quiet = 0;
    let last = -1;
    while (quiet < 40) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      quiet = produced === last ? quiet + 1 : 0;
      last = produced;
    }
    const producedWhileBlocked = produced;
    stop = true;
    server.pauseStreams(false);
    await server.waitFor(() => server.answers('id-33-slow').some((r) => r.complete));
    const [answer] = server.answers('id-33-slow');

    // Without backpressure the producer runs to the ceiling at once; with it, only socket and
    // stream buffers (a few MiB on loopback) get ahead of the paused server.
    expect(producedWhileBlocked).toBeLessThan(64 * 1024 * 1024);
    expect(answer?.body.length).toBe(produced);
  });

  it('item 34: ends the body with 0\\r\\n\\r\\n and no trailers on success, gets 202, and polls /next again', async () => {
    startLoop(
      streamingHandler(async function* () {
        yield 'a';
        yield 'b';
      }),
    );

    const first = await invoke('id-34');
    const second = await invoke('id-34-again');

    expect(first.raw.subarray(-5).toString('latin1')).toBe('0\r\n\r\n');
    expect(first.trailers).toEqual({});
    expect(first.body.toString()).toBe('ab');
    expect(second.body.toString()).toBe('ab');
    expect(server.requests.filter((r) => r.path.endsWith('/invocation/next')).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('item 35: a failure after the first byte ends the body with both trailers, the body trailer a base64 JSON error document, secrets redacted', async () => {
    const { lines } = startLoop(
      streamingHandler(async (_event, stream) => {
        stream.write('hello ');
        await server.waitFor(() => server.answers('id-35').some((r) => r.body.length > 0));
        throw new RangeError(`db closed (key ${SECRET})`);
      }),
    );

    const answer = await invoke('id-35');

    const raw = answer.raw.toString('latin1');
    expect(answer.body.toString()).toBe('hello ');
    expect(raw).toMatch(
      /\r\n0\r\nLambda-Runtime-Function-Error-Type: RangeError\r\nLambda-Runtime-Function-Error-Body: [A-Za-z0-9+/=]+\r\n\r\n$/i,
    );
    expect(answer.trailers['lambda-runtime-function-error-type']).toBe('RangeError');
    const document = decodeErrorBody(answer) as {
      errorType: string;
      errorMessage: string;
      stackTrace: string[];
    };
    expect(document).toMatchObject({ errorType: 'RangeError', errorMessage: 'db closed (key [redacted])' });
    expect(document.stackTrace[0]).toContain('RangeError');
    expect(raw).not.toContain(SECRET);
    expect(
      Buffer.from(answer.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString(),
    ).not.toContain(SECRET);
    expect(server.answers('id-35')).toHaveLength(1);
    expect(lines()).toContainEqual(
      expect.objectContaining({ message: 'Invoke Error', requestId: 'id-35', errorType: 'RangeError' }),
    );
  });

  it('item 35: a returned body that fails mid-way ends the stream with the trailers, reported once', async () => {
    const { lines } = startLoop(
      streamingHandler(async function* () {
        yield 'part one ';
        throw new TypeError('source broke');
      }),
    );

    const answer = await invoke('id-35-body');

    expect(answer.body.toString()).toBe('part one ');
    expect(answer.trailers['lambda-runtime-function-error-type']).toBe('TypeError');
    expect(decodeErrorBody(answer)).toMatchObject({ errorType: 'TypeError', errorMessage: 'source broke' });
    expect(lines().filter((line) => line.requestId === 'id-35-body' && line.level !== 'DEBUG')).toEqual([
      expect.objectContaining({ message: 'Invoke Error', errorType: 'TypeError' }),
    ]);
  });

  it('item 36: a failure before the first byte is posted to /error and no stream is opened', async () => {
    startLoop(
      streamingHandler(async (_event, stream) => {
        httpResponseStream(stream, { statusCode: 500 });
        throw new Error(`not ready (${SECRET})`);
      }),
    );

    const answer = await invoke('id-36');

    expect(answer.path).toBe('/2018-06-01/runtime/invocation/id-36/error');
    expect(answer.headers['lambda-runtime-function-error-type']).toBe('Error');
    expect(answer.headers['lambda-runtime-function-response-mode']).toBeUndefined();
    expect(JSON.parse(answer.body.toString())).toMatchObject({
      errorType: 'Error',
      errorMessage: 'not ready ([redacted])',
    });
    expect(server.answers('id-36')).toHaveLength(1);
  });

  it('item 37: the HTTP helper sends the JSON prelude and eight 0x00 bytes first, with the http-integration content type', async () => {
    const metadata = {
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Trace': 'a b' },
      cookies: ['a=1; Path=/', 'b=2'],
    };
    startLoop(
      streamingHandler(async (_event, stream) => {
        const http = httpResponseStream(stream, metadata);
        http.write('hello ');
        http.end('world');
      }),
    );

    const answer = await invoke('id-37');

    const prelude = JSON.stringify(metadata);
    expect(answer.headers['content-type']).toBe(HTTP_INTEGRATION);
    expect(answer.body.subarray(0, prelude.length).toString()).toBe(prelude);
    expect([...answer.body.subarray(prelude.length, prelude.length + 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(answer.body.subarray(prelude.length + 8).toString()).toBe('hello world');
    expect(answer.body.indexOf(0)).toBe(prelude.length);
  });

  it('item 37: the prelude is sent even when the handler writes no payload', async () => {
    startLoop(
      streamingHandler(async (_event, stream) => {
        httpResponseStream(stream, { statusCode: 204, headers: {} });
        stream.end();
      }),
    );

    const answer = await invoke('id-37-empty');

    const prelude = '{"statusCode":204,"headers":{}}';
    expect(answer.headers['content-type']).toBe(HTTP_INTEGRATION);
    expect(answer.body).toEqual(Buffer.concat([Buffer.from(prelude), Buffer.alloc(8)]));
    expect(answer.raw.subarray(-5).toString('latin1')).toBe('0\r\n\r\n');
  });

  it('item 38: setting the content type after the first write throws locally and changes nothing on the wire', async () => {
    let thrown: unknown;
    startLoop(
      streamingHandler(async (_event, stream: ResponseStream) => {
        stream.setContentType('text/plain');
        stream.write('x');
        try {
          stream.setContentType('application/json');
        } catch (error) {
          thrown = error;
        }
        stream.end('y');
      }),
    );

    const answer = await invoke('id-38');

    expect(thrown).toBeInstanceOf(InvalidStreamingOperationError);
    expect((thrown as InvalidStreamingOperationError).errorType).toBe('Runtime.InvalidStreamingOperation');
    expect(answer.headers['content-type']).toBe('text/plain');
    expect(answer.body.toString()).toBe('xy');
    expect(answer.trailers).toEqual({});
    expect(answer.raw.toString('latin1')).not.toContain('application/json');
  });

  it('cuts a stream that grows past the size limit at the limit and ends it with Function.ResponseSizeTooLarge', async () => {
    let writeError: unknown;
    startLoop(
      streamingHandler(async (_event, stream) => {
        try {
          await pipeline(Readable.from([Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x62)]), stream);
        } catch (error) {
          writeError = error;
        }
      }),
      { maxResponseBytes: 1000 },
    );

    const answer = await invoke('id-limit');

    expect(answer.body.length).toBe(1000);
    expect(answer.trailers['lambda-runtime-function-error-type']).toBe('Function.ResponseSizeTooLarge');
    expect(decodeErrorBody(answer)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
    expect((writeError as { errorType?: string }).errorType).toBe('Function.ResponseSizeTooLarge');
    expect(server.answers('id-limit')).toHaveLength(1);
  });

  it('stops the loop with a RuntimeApiError when the Runtime API answers a streamed response with a 5xx', async () => {
    server.answerWith = (request) =>
      request.path.endsWith('/response')
        ? { status: 500, body: '{"errorType":"ServiceException"}' }
        : { status: 202 };
    const { running } = startLoop(streamingHandler(async (_event, stream) => stream.end('x')));
    server.enqueue({ requestId: 'id-5xx' });

    await expect(running).rejects.toMatchObject({ errorType: 'Runtime.ApiError', status: 500 });
  });

  it('answers once and goes on when the handler throws after ending its stream', async () => {
    const { lines } = startLoop(
      streamingHandler(async (event: { late?: boolean }, stream) => {
        stream.end('done');
        await new Promise((resolve) => stream.once('finish', resolve));
        if (event.late === true) throw new Error('too late');
      }),
    );

    const answer = await invoke('id-late', '{"late":true}');
    const after = await invoke('id-after');

    expect(answer.body.toString()).toBe('done');
    expect(answer.trailers).toEqual({});
    expect(server.answers('id-late')).toHaveLength(1);
    expect(after.body.toString()).toBe('done');
    expect(lines()).toContainEqual(
      expect.objectContaining({
        requestId: 'id-late',
        message: 'The streaming handler failed after its response was sent; the failure is only logged',
      }),
    );
  });

  it('answers once when the handler writes after ending its stream, without crashing', async () => {
    let refused: unknown;
    const { lines } = startLoop(
      streamingHandler(async (_event, stream) => {
        stream.end('done');
        stream.write('more', (error) => {
          refused = error;
        });
      }),
    );

    const answer = await invoke('id-write-after-end');
    const after = await invoke('id-write-after-end-2');

    expect(answer.body.toString()).toBe('done');
    expect(after.body.toString()).toBe('done');
    expect(server.answers('id-write-after-end')).toHaveLength(1);
    expect(answer.trailers).toEqual({});
    expect(refused).toBeInstanceOf(InvalidStreamingOperationError);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        requestId: 'id-write-after-end',
        level: 'WARN',
        message: expect.stringContaining('wrote to its response stream after ending it'),
      }),
    );
  });

  it('writes a returned Web ReadableStream, and ends the stream the handler started writing', async () => {
    startLoop(
      streamingHandler(async (_event, stream) => {
        stream.write('head;');
        return new ReadableStream<string>({
          start(controller) {
            controller.enqueue('one;');
            controller.enqueue('two');
            controller.close();
          },
        });
      }),
    );

    const answer = await invoke('id-web');

    expect(answer.body.toString()).toBe('head;one;two');
    expect(answer.trailers).toEqual({});
  });

  it('waits for a stream the handler ends after it returned', async () => {
    startLoop(
      streamingHandler((_event, stream) => {
        setTimeout(() => stream.end('later'), 5);
      }),
    );

    const answer = await invoke('id-later');

    expect(answer.body.toString()).toBe('later');
  });

  it('answers a stream destroyed with an error after the first byte with the trailers, reported once', async () => {
    const { lines } = startLoop(
      streamingHandler(async (_event, stream) => {
        stream.write('partial');
        await server.waitFor(() => server.answers('id-destroy').some((r) => r.body.length > 0));
        stream.destroy(new Error('gave up'));
      }),
    );

    const answer = await invoke('id-destroy');

    expect(answer.body.toString()).toBe('partial');
    expect(decodeErrorBody(answer)).toMatchObject({ errorType: 'Error', errorMessage: 'gave up' });
    await server.waitFor(
      () => server.requests.filter((r) => r.path.endsWith('/invocation/next')).length >= 2,
    );
    expect(lines().filter((line) => line.requestId === 'id-destroy' && line.level !== 'DEBUG')).toEqual([
      expect.objectContaining({ message: 'Invoke Error', errorMessage: 'gave up' }),
    ]);
  });
});
