import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../src/http-integration-prelude.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { RuntimeClient } from './support/runtime-client.js';
import { errorTrailers, postBytewise, StreamingUpload } from './support/streaming-upload.js';

const PRELUDE = JSON.stringify({
  statusCode: 201,
  headers: { 'Content-Type': 'text/plain', 'X-Stream': 'yes' },
  cookies: ['a=1; Path=/'],
});
const DELIMITER = '\0'.repeat(8);

describe('RuntimeApiEmulator response streaming', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: RuntimeClient;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ maxStreamedResponseBytes: 64 * 1024 });
    runtime = new RuntimeClient(emulator.origin);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('passes each chunk on to a streaming caller before the upload ends', async () => {
    const stream = emulator.invokeStream({ prompt: 'hi' });
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId, 'text/plain');
    const chunks = stream[Symbol.asyncIterator]();

    await upload.write('first ');
    const first = await chunks.next();
    const endedAtFirst = upload.ended;
    await upload.write('second');
    const second = await chunks.next();
    const answer = await upload.end();
    const done = await chunks.next();
    const result = await stream.result;

    expect(first.value?.bytes.toString()).toBe('first ');
    expect(endedAtFirst).toBe(false);
    expect(second.value?.bytes.toString()).toBe('second');
    expect(done.done).toBe(true);
    expect(answer.status).toBe(202);
    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(stream.contentType).toBe('text/plain');
    expect(result.request?.body.length).toBe(0);
  });

  it('ends with the error document from the trailers when the stream fails after its first byte', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId);

    await upload.write('partial');
    const answer = await upload.end(errorTrailers('Runtime.StreamError', 'db closed'));
    const { body, result } = await stream.collect();

    expect(answer.status).toBe(202);
    expect(body.toString()).toBe('partial');
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.StreamError');
    expect(result.error).toMatchObject({ errorType: 'Runtime.StreamError', errorMessage: 'db closed' });
  });

  it('reassembles chunks and trailers when the runtime writes them one byte at a time', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();

    const answer = await postBytewise(
      emulator.port,
      next.requestId,
      ['hello ', 'world'],
      errorTrailers('Bytewise', 'split everywhere'),
    );
    const { body, result } = await stream.collect();

    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
    expect(body.toString()).toBe('hello world');
    expect(result.errorType).toBe('Bytewise');
    expect(result.error).toMatchObject({ errorMessage: 'split everywhere' });
  });

  it('parses the http-integration prelude off the stream when the runtime sends one', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

    await upload.write(PRELUDE.slice(0, 10));
    await upload.write(`${PRELUDE.slice(10)}${DELIMITER}payload`);
    await upload.end();
    const { body, result } = await stream.collect();

    expect(stream.prelude).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Stream': 'yes' },
      cookies: ['a=1; Path=/'],
    });
    expect(body.toString()).toBe('payload');
    expect(result.status).toBe('success');
  });

  it('gives the prelude and no chunk when no payload follows it', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

    await upload.write(`${PRELUDE}${DELIMITER}`);
    await upload.end();
    const { chunks, result } = await stream.collect();

    expect(stream.prelude?.statusCode).toBe(201);
    expect(chunks).toEqual([]);
    expect(result.status).toBe('success');
  });

  it('cuts the stream and fails with Function.ResponseSizeTooLarge when it passes the streamed limit', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId);
    const piece = Buffer.alloc(16 * 1024, 1);

    for (let sent = 0; sent < 80 * 1024; sent += piece.length) await upload.write(piece);
    const answer = await upload.end();
    const { body, result } = await stream.collect();

    expect(body.length).toBe(64 * 1024);
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Function.ResponseSizeTooLarge');
    expect(answer.status === 413 || answer.error !== undefined).toBe(true);
    // Nothing was kept: the bytes went to the caller only.
    expect(result.request?.body.length).toBe(0);
  });

  it('fails with Runtime.TruncatedResponse when the upload breaks off', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();
    const upload = new StreamingUpload(emulator.origin, next.requestId);
    const chunks = stream[Symbol.asyncIterator]();

    await upload.write('before the break');
    const first = await chunks.next();
    await upload.abort();
    const result = await stream.result;

    expect(first.value?.bytes.toString()).toBe('before the break');
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.TruncatedResponse');
  });

  it('gives a buffered answer as one chunk when the runtime does not stream', async () => {
    const stream = emulator.invokeStream({});
    const next = await runtime.next();

    await runtime.respond(next.requestId, '{"whole":true}');
    const { chunks, result } = await stream.collect();

    expect(chunks.map((chunk) => chunk.bytes.toString())).toEqual(['{"whole":true}']);
    expect(stream.streamed).toBe(false);
    expect(result.status).toBe('success');
  });

  it('rejects the iteration and the result when the invocation times out', async () => {
    const stream = emulator.invokeStream({}, { timeoutMs: 50 });

    const iterated = stream.collect().catch((error: unknown) => error);

    expect(await iterated).toMatchObject({ name: 'InvokeTimeoutError' });
    await expect(stream.result).rejects.toMatchObject({ name: 'InvokeTimeoutError' });
  });

  describe('with the default 200 MiB limit', () => {
    beforeEach(async () => {
      await emulator.close();
      emulator = await RuntimeApiEmulator.start();
      runtime = new RuntimeClient(emulator.origin);
    });

    it('holds the upload back while the streaming caller does not read (backpressure)', async () => {
      const stream = emulator.invokeStream({});
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId);
      const piece = Buffer.alloc(64 * 1024, 3);
      const total = 16 * 1024 * 1024;
      for (let sent = 0; sent < total; sent += piece.length) void upload.write(piece);
      const ended = upload.end();
      const chunks = stream[Symbol.asyncIterator]();
      const record = (): number =>
        emulator.requests.find((request) => request.endpoint === 'response')?.bodyLength ?? 0;

      let consumed = (await chunks.next()).value?.bytes.length ?? 0;
      // Give an emulator without backpressure ample time to read everything ahead of the reader.
      await new Promise((resolve) => setTimeout(resolve, 300));
      let largestLead = record() - consumed;
      for (let chunk = await chunks.next(); chunk.done !== true; chunk = await chunks.next()) {
        consumed += chunk.value.bytes.length;
        largestLead = Math.max(largestLead, record() - consumed);
      }

      expect((await ended).status).toBe(202);
      expect(consumed).toBe(total);
      expect(largestLead).toBeLessThanOrEqual(2 * 1024 * 1024);
    });

    it('lets the upload finish when the reader stops iterating early', async () => {
      const stream = emulator.invokeStream({});
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId);
      await upload.write('first');

      for await (const _chunk of stream) break;
      for (let piece = 0; piece < 40; piece += 1) void upload.write(Buffer.alloc(64 * 1024));
      const answer = await upload.end();
      const result = await stream.result;

      expect(answer.status).toBe(202);
      expect(result.status).toBe('success');
    });
  });

  describe('for a buffered caller', () => {
    it('buffers the stream, prelude bytes included, when invoke() is used', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

      await upload.write(`${PRELUDE}${DELIMITER}`);
      await upload.write('body');
      await upload.end();
      const result = await pending;

      expect(result.status).toBe('success');
      expect(result.payload.toString()).toBe(`${PRELUDE}${DELIMITER}body`);
    });

    it('fails with Function.ResponseSizeTooLarge when the stream passes the 6 MB buffered limit', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId);
      const piece = Buffer.alloc(1024 * 1024, 2);

      for (let sent = 0; sent < 7; sent += 1) await upload.write(piece);
      const answer = await upload.end();
      const result = await pending;

      expect(result.errorType).toBe('Function.ResponseSizeTooLarge');
      expect(answer.status === 413 || answer.error !== undefined).toBe(true);
    });
  });
});
