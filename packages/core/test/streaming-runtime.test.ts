import { fileURLToPath } from 'node:url';
import { type Initializer, STREAMING_HANDLER } from '@lambda-runtime/api';
import { httpResponseStream, streamingHandler } from '@lambda-runtime/handlers';
import { describe, expect, it } from 'vitest';
import { useWiredLifecycle } from './wired-lifecycle.js';

const managedFixture = fileURLToPath(new URL('./fixtures/managed-streaming-runtime.mjs', import.meta.url));
const undiciFixture = fileURLToPath(new URL('./fixtures/undici-streaming-runtime.mjs', import.meta.url));

// Streaming handlers through the whole runtime (lifecycle, loop, socket transport) against the
// emulator, which reads a streamed /response with its trailers as the service does.
describe('streaming handlers in the runtime (emulator)', () => {
  const wired = useWiredLifecycle();

  function run(initialize: Initializer): void {
    wired
      .lifecycle()
      .runtime.run(initialize)
      .catch(() => undefined);
  }

  it('item 34: a streamed answer reaches the caller whole, and the next invocation follows', async () => {
    run((() =>
      streamingHandler(async function* (event: { words: string[] }) {
        for (const word of event.words) yield `${word} `;
      })) as unknown as Initializer);

    const first = await wired.emulator.invoke({ words: ['streamed', 'to', 'you'] });
    const second = await wired.emulator.invoke({ words: ['again'] });

    expect(first.status).toBe('success');
    expect(first.payload.toString()).toBe('streamed to you ');
    expect(second.payload.toString()).toBe('again ');
  });

  it('item 35: a failure after the first byte reaches the caller as the error of the trailers', async () => {
    run((() =>
      streamingHandler(async (_event, stream) => {
        stream.write('partial');
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new SyntaxError('bad row');
      })) as unknown as Initializer);

    const result = await wired.emulator.invoke({});

    expect(result.status).toBe('error');
    expect(result.errorType).toBe('SyntaxError');
    expect(result.error).toMatchObject({ errorType: 'SyntaxError', errorMessage: 'bad row' });
  });

  it('item 37: the prelude arrives ahead of the payload with the http-integration content type', async () => {
    run((() =>
      streamingHandler(async (_event, stream) => {
        httpResponseStream(stream, { statusCode: 418, headers: { 'content-type': 'text/plain' } }).end(
          'teapot',
        );
      })) as unknown as Initializer);

    const result = await wired.emulator.invoke({});

    expect(result.status).toBe('success');
    expect(result.payload.toString('latin1')).toBe(
      `{"statusCode":418,"headers":{"content-type":"text/plain"}}${'\0'.repeat(8)}teapot`,
    );
  });

  it('keeps context.signal armed until the stream ends when the handler settles first', async () => {
    run((() =>
      streamingHandler(async (_event, stream, context) => {
        stream.write('open ');
        // Settles at once; the stream ends after the deadline has passed.
        setTimeout(() => stream.end(`aborted=${context.signal.aborted}`), 150);
      })) as unknown as Initializer);

    const result = await wired.emulator.invoke({}, { deadlineMs: Date.now() + 60 });

    expect(result.payload.toString()).toBe('open aborted=true');
  });

  it('runs an unchanged awslambda.streamifyResponse handler module under defaultRuntime in a real process', async () => {
    wired.emulator.spawn({ command: process.execPath, args: [managedFixture] });

    const stream = wired.emulator.invokeStream({ name: 'defaultRuntime' });
    const { body } = await stream.collect();
    const result = await stream.result;

    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(stream.prelude).toMatchObject({ statusCode: 200, headers: { 'Content-Type': 'text/plain' } });
    expect(body.toString()).toBe('hello defaultRuntime');
  });

  it('items 32, 39: streams through the socket transport, and says so at start, when the chosen transport (undici) cannot stream', async () => {
    const runtime = wired.emulator.spawn({ command: process.execPath, args: [undiciFixture] });

    const stream = wired.emulator.invokeStream({ name: 'undici' });
    const { body } = await stream.collect();
    const result = await stream.result;
    const post = wired.emulator.requests.find((request) => request.path.endsWith('/response'));

    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(body.toString()).toBe('hello undici');
    expect(post?.headers['lambda-runtime-function-response-mode']).toBe('streaming');
    expect(post?.headers['transfer-encoding']).toBe('chunked');
    expect(runtime.stdout).toContain(
      'The transport (UndiciTransport) cannot stream responses: streamed responses go through SocketTransport',
    );
  });

  it('ends the open stream with the trailers and exits 1 when an uncaught exception hits mid-stream', async () => {
    const runtime = wired.emulator.spawn({ command: process.execPath, args: [managedFixture] });

    const stream = wired.emulator.invokeStream({ crash: true });
    const { body } = await stream.collect();
    const result = await stream.result;
    const exit = await runtime.waitForExit();

    expect(body.toString()).toBe('hello ');
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'crashed mid-stream' });
    expect(wired.emulator.requests.filter((request) => request.endpoint === 'error')).toHaveLength(0);
    expect(exit.code).toBe(1);
  });

  it('leaves the awslambda global out under defaultRuntime when AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA=1', async () => {
    const runtime = wired.emulator.spawn({
      command: process.execPath,
      args: [managedFixture],
      env: { AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: '1' },
    });

    const exit = await runtime.waitForExit();

    expect(exit.code).not.toBe(0);
    expect(runtime.stderr).toContain('awslambda is not defined');
  });

  it('fails the init with Runtime.MalformedStreamingHandler for a streaming mark other than "response"', async () => {
    const handler = Object.assign(async () => undefined, { [STREAMING_HANDLER]: 'request' });
    run((() => handler) as unknown as Initializer);

    await wired.emulator.waitForRequest((request) => request.endpoint === 'init-error');

    const [initError] = wired.emulator.requests.filter((request) => request.endpoint === 'init-error');
    expect(initError?.headers['lambda-runtime-function-error-type']).toBe(
      'Runtime.MalformedStreamingHandler',
    );
    expect(wired.emulator.requests.some((request) => request.endpoint === 'next')).toBe(false);
  });
});
