import { PassThrough } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  isStreamingHandler,
  type ResponseStream,
  STREAMING_HANDLER,
  STREAMING_HIGH_WATER_MARK,
} from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { HttpResponseStream, httpResponseStream, streamingHandler } from '../src/index.js';

/** A stand-in response stream that records its content type. */
function responseStream(): ResponseStream & { contentType?: string } {
  const stream = new PassThrough() as unknown as ResponseStream & { contentType?: string };
  stream.setContentType = (type: string) => {
    stream.contentType = type;
  };
  return stream;
}

function preludeOf(stream: ResponseStream): Buffer {
  const written: Buffer[] = [];
  stream._onBeforeFirstWrite?.((chunk) => written.push(Buffer.from(chunk)));
  return Buffer.concat(written);
}

describe('streamingHandler', () => {
  it('marks the function itself as a response-streaming handler', () => {
    const fn = async () => undefined;

    const handler = streamingHandler(fn);

    expect(handler).toBe(fn);
    expect(handler[STREAMING_HANDLER]).toBe('response');
    expect(isStreamingHandler(handler)).toBe(true);
    expect(handler[STREAMING_HIGH_WATER_MARK]).toBeUndefined();
  });

  it('records the highWaterMark it is given', () => {
    const handler = streamingHandler(async () => undefined, { highWaterMark: 65_536 });

    expect(handler[STREAMING_HIGH_WATER_MARK]).toBe(65_536);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a highWaterMark of %s', (highWaterMark) => {
    expect(() => streamingHandler(async () => undefined, { highWaterMark })).toThrow(RangeError);
  });

  it('rejects something that is not a function', () => {
    expect(() => streamingHandler(null as never)).toThrow(TypeError);
  });
});

describe('httpResponseStream', () => {
  it('sets the http-integration content type and sends the JSON prelude then eight NUL bytes', () => {
    const stream = responseStream();

    const result = httpResponseStream(stream, {
      statusCode: 200,
      headers: { 'Content-Type': 'text/html' },
      cookies: ['a=1'],
    });

    expect(result).toBe(stream);
    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(preludeOf(stream)).toEqual(
      Buffer.concat([
        Buffer.from('{"statusCode":200,"headers":{"Content-Type":"text/html"},"cookies":["a=1"]}'),
        Buffer.alloc(8),
      ]),
    );
  });

  it('keeps NUL characters of the metadata escaped, so the delimiter is the first NUL byte', () => {
    const stream = responseStream();

    httpResponseStream(stream, { statusCode: 200, headers: { 'X-Odd': 'a\0b' } });

    const prelude = preludeOf(stream);
    expect(prelude.indexOf(0)).toBe(prelude.length - 8);
  });

  it('sends the metadata as it was when called', () => {
    const stream = responseStream();
    const headers: Record<string, string> = { a: '1' };

    httpResponseStream(stream, { statusCode: 200, headers });
    headers.b = '2';

    expect(preludeOf(stream).subarray(0, -8).toString()).toBe('{"statusCode":200,"headers":{"a":"1"}}');
  });

  it.each([99, 600, 200.5])('rejects the status code %s before anything is sent', (statusCode) => {
    const stream = responseStream();

    expect(() => httpResponseStream(stream, { statusCode })).toThrow(RangeError);
    expect(stream.contentType).toBeUndefined();
  });

  it('rejects a prelude that does not fit in the first 16 KiB', () => {
    const stream = responseStream();

    expect(() =>
      httpResponseStream(stream, { statusCode: 200, headers: { 'X-Big': 'x'.repeat(16 * 1024) } }),
    ).toThrow(/must fit in the first 16384 bytes/);
    expect(stream._onBeforeFirstWrite).toBeUndefined();
  });

  it('lets HttpResponseStream.from through without the checks, as the managed runtime does', () => {
    const stream = responseStream();

    HttpResponseStream.from(stream, { statusCode: 99 });

    expect(preludeOf(stream).subarray(0, -8).toString()).toBe('{"statusCode":99}');
  });

  it('is what HttpResponseStream.from does', () => {
    const stream = responseStream();

    const result = HttpResponseStream.from(stream, { statusCode: 404 });

    expect(result).toBe(stream);
    expect(preludeOf(stream).subarray(0, -8).toString()).toBe('{"statusCode":404}');
  });
});
