import { Readable } from 'node:stream';
import type { InvocationContext, ResponseStream, StreamingHandler } from '@lambda-runtime/api';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { httpResponseStream, streamingHandler } from '../src/index.js';

// Compile-time checks: `pnpm lint` type-checks this file (tsc -p tsconfig.tests.json), so every
// `@ts-expect-error` below fails the build if the line it guards starts to compile.

interface TenantContext extends InvocationContext {
  tenant: string;
}

describe('streamingHandler types', () => {
  it('types the event, the response stream and the context', () => {
    const handler = streamingHandler(
      async (event: APIGatewayProxyEventV2, responseStream, context: TenantContext) => {
        expectTypeOf(event.rawPath).toEqualTypeOf<string>();
        expectTypeOf(responseStream).toEqualTypeOf<ResponseStream>();
        expectTypeOf(responseStream.write).toBeFunction();
        expectTypeOf(responseStream.setContentType).parameter(0).toEqualTypeOf<string>();
        responseStream.end(context.tenant);
      },
    );

    expectTypeOf(handler).toEqualTypeOf<StreamingHandler<APIGatewayProxyEventV2, TenantContext>>();
    expect(typeof handler).toBe('function');
  });

  it('accepts every body a handler may return: Web stream, async iterable, Node Readable, text, bytes', () => {
    const handlers = [
      streamingHandler(async () => new ReadableStream<Uint8Array>()),
      streamingHandler(async function* () {
        yield 'token';
      }),
      streamingHandler(async () => Readable.from(['a'])),
      streamingHandler(() => 'text'),
      streamingHandler(async () => new Uint8Array([1])),
      streamingHandler(async (_event, stream) => stream.end('x')),
      streamingHandler((_event, stream) => {
        stream.end();
      }),
    ];
    // @ts-expect-error a plain object is not a body
    streamingHandler(async () => ({ statusCode: 200 }));
    // @ts-expect-error a number is not a body
    streamingHandler(() => 42);

    expect(handlers).toHaveLength(7);
  });

  it('takes only a numeric highWaterMark', () => {
    const handler = streamingHandler(async () => undefined, { highWaterMark: 1024 });

    expect(typeof handler).toBe('function');
    expect(() =>
      // @ts-expect-error highWaterMark is a number of bytes
      streamingHandler(async () => undefined, { highWaterMark: '1024' }),
    ).toThrow(RangeError);
  });
});

describe('httpResponseStream types', () => {
  it('takes a status, string headers and cookies, and returns the stream it was given', () => {
    streamingHandler(async (_event, responseStream) => {
      const http = httpResponseStream(responseStream, {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain' },
        cookies: ['a=1; Path=/'],
      });
      expectTypeOf(http).toEqualTypeOf<ResponseStream>();
      // @ts-expect-error header values are strings
      httpResponseStream(responseStream, { headers: { 'X-Count': 1 } });
      // @ts-expect-error cookies are strings
      httpResponseStream(responseStream, { cookies: [{ name: 'a' }] });
      http.end();
    });

    expect(httpResponseStream).toBeTypeOf('function');
  });
});
