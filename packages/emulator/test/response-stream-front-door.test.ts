import {
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamResponseEvent,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESPONSE_STREAM_PATH } from '../src/response-stream-front-door.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { RuntimeClient } from './support/runtime-client.js';
import { errorTrailers, StreamingUpload } from './support/streaming-upload.js';

describe('ResponseStreamFrontDoor', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: RuntimeClient;
  let client: LambdaClient;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    runtime = new RuntimeClient(emulator.origin);
    client = new LambdaClient({
      endpoint: emulator.origin,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  function invoke(payload = '{}') {
    return client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'function', Payload: Buffer.from(payload) }),
    );
  }

  describe('with the AWS SDK InvokeWithResponseStreamCommand', () => {
    it('decodes each PayloadChunk as the runtime streams it, then InvokeComplete', async () => {
      const pending = invoke('{"prompt":"hi"}');
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, 'text/plain');
      await upload.write('first ');
      const response = await pending;
      const events = eventsOf(response.EventStream);

      const first = await events.next();
      const endedAtFirst = upload.ended;
      await upload.write('second');
      const second = await events.next();
      await upload.end();
      const rest = await collect(events);

      expect(next.body.toString()).toBe('{"prompt":"hi"}');
      expect(response.StatusCode).toBe(200);
      expect(response.ExecutedVersion).toBe('$LATEST');
      expect(text(first.value?.PayloadChunk?.Payload)).toBe('first ');
      expect(endedAtFirst).toBe(false);
      expect(text(second.value?.PayloadChunk?.Payload)).toBe('second');
      expect(rest).toEqual([{ InvokeComplete: {} }]);
    });

    it('reports a mid-stream failure in InvokeComplete after the chunks sent before it', async () => {
      const pending = invoke();
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId);

      await upload.write('partial');
      await upload.end(errorTrailers('Runtime.StreamError', 'db closed'));
      const events = await collect(eventsOf((await pending).EventStream));

      expect(events).toEqual([
        { PayloadChunk: { Payload: expect.any(Uint8Array) } },
        { InvokeComplete: { ErrorCode: 'Runtime.StreamError', ErrorDetails: 'db closed' } },
      ]);
      expect(text(events[0]?.PayloadChunk?.Payload)).toBe('partial');
    });

    it('sends a buffered answer as one PayloadChunk and InvokeComplete', async () => {
      const pending = invoke();
      const next = await runtime.next();

      await runtime.respond(next.requestId, '{"whole":true}');
      const events = await collect(eventsOf((await pending).EventStream));

      expect(events).toHaveLength(2);
      expect(text(events[0]?.PayloadChunk?.Payload)).toBe('{"whole":true}');
      expect(events[1]).toEqual({ InvokeComplete: {} });
    });

    it('reports an /error in InvokeComplete with no PayloadChunk', async () => {
      const pending = invoke();
      const next = await runtime.next();

      await runtime.fail(next.requestId, { errorType: 'Boom', errorMessage: 'before any byte' }, 'Boom');
      const events = await collect(eventsOf((await pending).EventStream));

      expect(events).toEqual([{ InvokeComplete: { ErrorCode: 'Boom', ErrorDetails: 'before any byte' } }]);
    });

    it('answers 204 without invoking when the invocation type is DryRun', async () => {
      const response = await client.send(
        new InvokeWithResponseStreamCommand({ FunctionName: 'function', InvocationType: 'DryRun' }),
      );

      expect(response.StatusCode).toBe(204);
      expect(emulator.pendingNext).toBe(0);
    });
  });

  it('answers with event-stream messages carrying :event-type, :message-type and :content-type', async () => {
    const pending = fetch(`${emulator.origin}${RESPONSE_STREAM_PATH}`, { method: 'POST', body: '{}' });
    const next = await runtime.next();
    await runtime.respond(next.requestId, 'ok');

    const response = await pending;
    const messages = decodeMessages(Buffer.from(await response.arrayBuffer()));

    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect(response.headers.get('x-amzn-requestid')).toBe(next.requestId);
    expect(response.headers.get('x-amz-executed-version')).toBe('$LATEST');
    expect(messages.map((message) => message.headers)).toEqual([
      {
        ':event-type': { type: 'string', value: 'PayloadChunk' },
        ':message-type': { type: 'string', value: 'event' },
        ':content-type': { type: 'string', value: 'application/octet-stream' },
      },
      {
        ':event-type': { type: 'string', value: 'InvokeComplete' },
        ':message-type': { type: 'string', value: 'event' },
        ':content-type': { type: 'string', value: 'application/json' },
      },
    ]);
    expect(Buffer.from(messages[0]?.body ?? []).toString()).toBe('ok');
  });

  it('maps X-Amz-Client-Context to the /next header', async () => {
    const clientContext = '{"custom":{"k":"v"}}';
    const pending = fetch(`${emulator.origin}${RESPONSE_STREAM_PATH}`, {
      method: 'POST',
      body: '{}',
      headers: { 'X-Amz-Client-Context': Buffer.from(clientContext).toString('base64') },
    });
    const next = await runtime.next();
    await runtime.respond(next.requestId, '{}');

    await (await pending).arrayBuffer();

    expect(next.headers['lambda-runtime-client-context']).toBe(clientContext);
  });
});

function eventsOf(
  stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined,
): AsyncIterator<InvokeWithResponseStreamResponseEvent> {
  if (stream === undefined) throw new Error('the answer has no EventStream');
  return stream[Symbol.asyncIterator]();
}

async function collect(
  events: AsyncIterator<InvokeWithResponseStreamResponseEvent>,
): Promise<InvokeWithResponseStreamResponseEvent[]> {
  const all: InvokeWithResponseStreamResponseEvent[] = [];
  for (let event = await events.next(); event.done !== true; event = await events.next())
    all.push(event.value);
  return all;
}

/** Splits the body at each message's total-length prefix and decodes the messages with the SDK's codec. */
function decodeMessages(body: Buffer) {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const messages = [];
  for (let offset = 0; offset < body.length; offset += body.readUInt32BE(offset)) {
    messages.push(codec.decode(body.subarray(offset, offset + body.readUInt32BE(offset))));
  }
  return messages;
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}
