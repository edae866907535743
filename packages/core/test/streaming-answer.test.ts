import type { InvocationContext, StreamingHandler, Transport } from '@lambda-runtime/api';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import { streamingHandler } from '@lambda-runtime/handlers';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandlerCall } from '../src/handler-call.js';
import { RuntimeApiClient, type StreamingAnswer, StreamingResponder } from '../src/index.js';
import { type ReceivedRequest, StreamingApiServer } from './streaming-support.js';
import { memoryLogger } from './support.js';

let server: StreamingApiServer;
let transport: Transport;

beforeEach(async () => {
  server = new StreamingApiServer();
  await server.listen();
});

afterEach(async () => {
  await server.close();
  await transport?.close();
});

/** A responder over `make(origin)` and a way to answer one invocation with it, outside any loop. */
function setUp(make: (origin: string) => Transport = (origin) => new SocketTransport({ origin }), env = {}) {
  transport = make(server.origin);
  const { logger, lines } = memoryLogger();
  const environment = new ProcessEnvironmentReader({
    env: {
      AWS_LAMBDA_RUNTIME_API: server.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'f',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      ...env,
    },
  }).read();
  const client = new RuntimeApiClient(transport, { logger, redact: (text) => environment.redact(text) });
  const responder = new StreamingResponder(transport, client, logger, environment);
  const errors: unknown[] = [];
  let answered = false;
  const start = (requestId: string, highWaterMark?: number): StreamingAnswer =>
    responder.answer(requestId, highWaterMark, {
      fail: async (error) => {
        errors.push(error);
        await client.postError(requestId, { errorType: 'X', errorMessage: String(error), stackTrace: [] });
      },
      answering: () => {
        answered = true;
      },
    });
  const call = (requestId: string): HandlerCall =>
    new HandlerCall({ awsRequestId: requestId } as InvocationContext, logger);
  return { responder, start, call, lines, errors, opened: () => answered };
}

async function answerOf(requestId: string): Promise<ReceivedRequest> {
  await server.waitFor(() => server.answers(requestId).some((r) => r.complete));
  return server.answers(requestId)[0] as ReceivedRequest;
}

function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

describe('StreamingAnswer', () => {
  it('answers on /error when the event loop runs empty and the handler neither settled nor wrote', async () => {
    const { start, call, errors } = setUp();
    const answer = start('id-pending');

    const running = answer.run(streamingHandler(() => never()) as StreamingHandler, {}, call('id-pending'));
    answer.eventLoopDrained();
    await running;

    expect(errors).toHaveLength(1);
    expect((errors[0] as { errorType: string }).errorType).toBe('Runtime.HandlerNeverSettled');
    expect((await answerOf('id-pending')).path).toMatch(/\/error$/);
  });

  it('ends an open stream with the trailers when the handler returned without ending it and nothing else can', async () => {
    const { start, call } = setUp();
    const answer = start('id-unended');

    const running = answer.run(
      streamingHandler(async (_event, stream) => {
        stream.write('begun');
      }) as StreamingHandler,
      {},
      call('id-unended'),
    );
    await server.waitFor(() => server.answers('id-unended').some((r) => r.body.length > 0));
    answer.eventLoopDrained();
    await running;
    const posted = await answerOf('id-unended');

    expect(posted.body.toString()).toBe('begun');
    expect(posted.trailers['lambda-runtime-function-error-type']).toBe('Runtime.ResponseStreamNotFinished');
  });

  it('answers an uncaught failure during the stream with the trailers (failInFlight) and reports that it did', async () => {
    const { start, call } = setUp();
    const answer = start('id-crash');
    const running = answer.run(
      streamingHandler(async (_event, stream) => {
        stream.write('some');
        return never();
      }) as StreamingHandler,
      {},
      call('id-crash'),
    );
    await server.waitFor(() => server.answers('id-crash').some((r) => r.body.length > 0));

    const carried = await answer.failInFlight(new Error('uncaught in a timer'));
    answer.eventLoopDrained();
    await running;
    const posted = await answerOf('id-crash');

    expect(carried).toBe(true);
    expect(posted.trailers['lambda-runtime-function-error-type']).toBe('Error');
    expect(server.answers('id-crash')).toHaveLength(1);
  });

  it('does not answer again on failInFlight once the stream has ended', async () => {
    const { start, call } = setUp();
    const answer = start('id-ended');
    const running = answer.run(
      streamingHandler(async (_event, stream) => {
        stream.end('all');
      }) as StreamingHandler,
      {},
      call('id-ended'),
    );
    await running;

    const carried = await answer.failInFlight(new Error('late crash'));

    expect(carried).toBe(false);
    expect((await answerOf('id-ended')).trailers).toEqual({});
    expect(server.answers('id-ended')).toHaveLength(1);
  });

  it('gives the response stream the highWaterMark the handler asked for', async () => {
    const { start, call } = setUp();
    const answer = start('id-hwm', 1024);

    await answer.run(
      streamingHandler(async (_event, stream) => stream.end()) as StreamingHandler,
      {},
      call('id-hwm'),
    );

    expect(answer.stream.writableHighWaterMark).toBe(1024);
  });

  it('stops the handler and goes on when the Runtime API answers 413 before the stream ended', async () => {
    const { start, call, lines } = setUp();
    server.onBodyProgress = (_request, socket) => {
      server.onBodyProgress = undefined;
      const body = '{"errorType":"Function.ResponseSizeTooLarge"}';
      socket.end(
        `HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    let writeError: unknown;
    const answer = start('id-413');

    await answer.run(
      streamingHandler(async (_event, stream) => {
        try {
          for (let i = 0; i < 10_000; i += 1) {
            if (!stream.write(Buffer.alloc(16 * 1024))) {
              await new Promise((resolve, reject) => {
                stream.once('drain', resolve);
                stream.once('error', reject);
                stream.once('close', resolve);
              });
            }
            if (stream.destroyed) throw stream.errored ?? new Error('destroyed');
          }
          stream.end();
        } catch (error) {
          writeError = error;
        }
      }) as StreamingHandler,
      {},
      call('id-413'),
    );

    expect(writeError).toBeInstanceOf(Error);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        requestId: 'id-413',
        status: 413,
        message: 'Runtime API rejected the streamed response as too large',
      }),
    );
  });
});

describe('StreamingResponder', () => {
  it('item 39: says once, at start, that a transport without openStream cannot stream, and answers buffered', async () => {
    const { start, call, lines } = setUp((origin) => {
      const socket = new SocketTransport({ origin });
      // The same transport without openStream.
      return { request: (r) => socket.request(r), close: () => socket.close() };
    });
    const answer = start('id-buffered');

    await answer.run(
      streamingHandler(async (_event, stream) => {
        stream.setContentType('text/plain');
        stream.write('one ');
        stream.end('two');
      }) as StreamingHandler,
      {},
      call('id-buffered'),
    );
    const posted = await answerOf('id-buffered');

    const warnings = lines().filter((line) => String(line.message).includes('cannot stream responses'));
    expect(warnings).toHaveLength(1);
    expect(posted.path).toMatch(/\/response$/);
    expect(posted.headers['lambda-runtime-function-response-mode']).toBeUndefined();
    expect(posted.headers['content-length']).toBe('7');
    expect(posted.headers['content-type']).toBe('text/plain');
    expect(posted.body.toString()).toBe('one two');
  });

  it('reads the size limit from LAMBDA_RUNTIME_MAX_STREAMED_RESPONSE_BYTES, and warns and keeps 200 MiB for a bad value', () => {
    const good = setUp(undefined, { LAMBDA_RUNTIME_MAX_STREAMED_RESPONSE_BYTES: '1048576' });
    const bad = setUp(undefined, { LAMBDA_RUNTIME_MAX_STREAMED_RESPONSE_BYTES: '-3' });

    expect(good.responder.maxResponseBytes).toBe(1_048_576);
    expect(bad.responder.maxResponseBytes).toBe(200 * 1024 * 1024);
    expect(bad.lines()).toContainEqual(
      expect.objectContaining({ level: 'WARN', LAMBDA_RUNTIME_MAX_STREAMED_RESPONSE_BYTES: '-3' }),
    );
  });
});
