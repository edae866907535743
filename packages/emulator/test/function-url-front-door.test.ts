import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { FunctionUrlEvent } from '../src/function-url-event.js';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../src/http-integration-prelude.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { httpCall } from './support/http-call.js';
import { type NextAnswer, RuntimeClient } from './support/runtime-client.js';
import { errorTrailers, StreamingUpload } from './support/streaming-upload.js';

const DELIMITER = '\0'.repeat(8);

describe('FunctionUrlFrontDoor', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: RuntimeClient;
  let origin: string;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionUrl: { port: 0 }, accountId: '111122223333' });
    runtime = new RuntimeClient(emulator.origin);
    origin = emulator.functionUrlOrigin ?? '';
  });

  afterEach(async () => {
    await emulator.close();
  });

  /** Sends `call`, answers its invocation with `answer` and returns the event and the HTTP answer. */
  async function roundTrip<T>(
    call: () => Promise<T>,
    answer: string = '{"statusCode":204}',
  ): Promise<{ event: APIGatewayProxyEventV2; response: T; requestId: string; next: NextAnswer }> {
    const pending = call();
    const next = await runtime.next();
    await runtime.respond(next.requestId, answer);
    return {
      event: JSON.parse(next.body.toString('utf8')) as APIGatewayProxyEventV2,
      response: await pending,
      requestId: next.requestId,
      next,
    };
  }

  describe('the request as a payload-2.0 event', () => {
    it('builds the event with path, query, headers, cookies, context and a text body when a JSON POST arrives', async () => {
      const { event, requestId, next } = await roundTrip(() =>
        rawHttp(
          origin,
          'POST',
          '/orders/42?tag=a&tag=b&q=x%20y',
          [
            ['Content-Type', 'application/json'],
            ['User-Agent', 'curl/8.5.0'],
            ['X-Multi', 'one'],
            ['X-Multi', 'two'],
            ['Cookie', 'session=abc; theme=dark'],
          ],
          '{"item":"book"}',
        ),
      );

      expect(event).toMatchObject({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/orders/42',
        rawQueryString: 'tag=a&tag=b&q=x%20y',
        cookies: ['session=abc', 'theme=dark'],
        queryStringParameters: { tag: 'a,b', q: 'x y' },
        body: '{"item":"book"}',
        isBase64Encoded: false,
        requestContext: {
          accountId: '111122223333',
          domainName: new URL(origin).host,
          http: {
            method: 'POST',
            path: '/orders/42',
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'curl/8.5.0',
          },
          requestId,
          routeKey: '$default',
          stage: '$default',
        },
      });
      expect(event.headers).toMatchObject({
        'content-type': 'application/json',
        'x-multi': 'one,two',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': new URL(origin).port,
        'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      });
      expect(next.headers['lambda-runtime-trace-id']).toBe(event.headers['x-amzn-trace-id']);
      expect(event.headers).not.toHaveProperty('cookie');
      expect(event.requestContext.timeEpoch).toBeGreaterThan(Date.now() - 60_000);
      expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      // Compile time (tsc -p tsconfig.tests.json): the event type is a payload-2.0 event of @types/aws-lambda.
      expectTypeOf<FunctionUrlEvent>().toExtend<APIGatewayProxyEventV2>();
    });

    it('base64-encodes the body when the content type is binary', async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

      const { event } = await roundTrip(() =>
        httpCall(origin, '/upload', {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes,
        }),
      );

      expect(event.isBase64Encoded).toBe(true);
      expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
      expect(event.requestContext.http.method).toBe('PUT');
    });

    it('leaves out body, query parameters and cookies when a bare GET arrives', async () => {
      const { event } = await roundTrip(() => httpCall(origin, '/'));

      expect(event.rawPath).toBe('/');
      expect(event.rawQueryString).toBe('');
      expect(event.isBase64Encoded).toBe(false);
      expect(event).not.toHaveProperty('body');
      expect(event).not.toHaveProperty('queryStringParameters');
      expect(event).not.toHaveProperty('cookies');
    });
  });

  describe('the answer as an HTTP response', () => {
    it('sends status, headers, cookies and body when the function answers with a statusCode', async () => {
      const answer = {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-Custom': 'yes', 'X-Count': 3 },
        cookies: ['a=1; Path=/', 'b=2; Max-Age=60'],
        body: 'made',
      };

      const { response, requestId } = await roundTrip(
        () => fetch(`${origin}/things`, { method: 'POST', body: 'x' }),
        JSON.stringify(answer),
      );

      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(response.headers.get('x-custom')).toBe('yes');
      expect(response.headers.get('x-count')).toBe('3');
      expect(response.headers.get('x-amzn-requestid')).toBe(requestId);
      expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Max-Age=60']);
      expect(await response.text()).toBe('made');
    });

    it('decodes the body when the function answers with isBase64Encoded', async () => {
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);

      const { response } = await roundTrip(
        () => httpCall(origin, '/image'),
        JSON.stringify({
          statusCode: 200,
          headers: { 'content-type': 'image/png' },
          body: bytes.toString('base64'),
          isBase64Encoded: true,
        }),
      );

      expect(response.headers['content-type']).toBe('image/png');
      expect(response.body).toEqual(bytes);
    });

    it('answers 200 application/json with the JSON text as it is when the function returns a bare string', async () => {
      const { response } = await roundTrip(() => httpCall(origin, '/'), '"Hello, world!"');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.text).toBe('"Hello, world!"');
    });

    it('answers 200 application/json with the object when the function returns one without statusCode', async () => {
      const { response } = await roundTrip(() => httpCall(origin, '/'), '{"message":"Hello"}');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.json).toEqual({ message: 'Hello' });
    });

    it('defaults the content type to application/json when a structured answer names none', async () => {
      const { response } = await roundTrip(() => httpCall(origin, '/'), '{"statusCode":404,"body":"{}"}');

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/json');
    });

    it('answers 502 Internal Server Error when the function fails', async () => {
      const pending = httpCall(origin, '/');
      const next = await runtime.next();
      await runtime.fail(next.requestId, { errorType: 'Boom', errorMessage: 'broke' }, 'Boom');

      const response = await pending;

      expect(response.status).toBe(502);
      expect(response.json).toEqual({ Message: 'Internal Server Error' });
    });

    it('answers 502 when the answer has a statusCode that is no HTTP status', async () => {
      const { response } = await roundTrip(() => httpCall(origin, '/'), '{"statusCode":"ok"}');

      expect(response.status).toBe(502);
      expect(response.json).toEqual({ Message: 'Internal Server Error' });
    });

    it('answers 502 when the answer is not JSON', async () => {
      const { response } = await roundTrip(() => httpCall(origin, '/'), 'plain text');

      expect(response.status).toBe(502);
    });
  });

  describe('when the runtime streams', () => {
    it('sends status, headers and cookies from the prelude, then each chunk as it arrives', async () => {
      const pending = fetch(`${origin}/stream`);
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);
      const prelude = {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-Kind': 'stream' },
        cookies: ['s=1'],
      };

      await upload.write(`${JSON.stringify(prelude)}${DELIMITER}first `);
      const response = await pending;
      const reader = response.body?.getReader();
      const first = await reader?.read();
      const endedAtFirst = upload.ended;
      await upload.write('second');
      await upload.end();
      let rest = '';
      for (
        let chunk = await reader?.read();
        chunk !== undefined && !chunk.done;
        chunk = await reader?.read()
      ) {
        rest += Buffer.from(chunk.value).toString();
      }

      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(response.headers.get('x-kind')).toBe('stream');
      expect(response.headers.getSetCookie()).toEqual(['s=1']);
      expect(Buffer.from(first?.value ?? []).toString()).toBe('first ');
      expect(endedAtFirst).toBe(false);
      expect(rest).toBe('second');
    });

    it('answers the prelude status with an empty body when no payload follows', async () => {
      const pending = httpCall(origin, '/empty');
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

      await upload.write(`{"statusCode":202,"headers":{"ETag":"abc"}}${DELIMITER}`);
      await upload.end();
      const response = await pending;

      expect(response.status).toBe(202);
      expect(response.headers.etag).toBe('abc');
      expect(response.body.length).toBe(0);
    });

    it('answers 200 with the runtime content type when the stream has no prelude', async () => {
      const pending = httpCall(origin, '/plain');
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, 'text/event-stream');

      await upload.write('data: 1\n\n');
      await upload.end();
      const response = await pending;

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      expect(response.text).toBe('data: 1\n\n');
    });

    it('answers 502 when the prelude is not JSON', async () => {
      const pending = httpCall(origin, '/bad');
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

      await upload.write(`not json${DELIMITER}payload`);
      await upload.end();
      const response = await pending;

      expect(response.status).toBe(502);
      expect(response.json).toEqual({ Message: 'Internal Server Error' });
    });

    it('lets the runtime finish its upload when the HTTP caller hangs up mid-stream', async () => {
      const controller = new AbortController();
      const pending = fetch(`${origin}/leaves`, { signal: controller.signal });
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, 'text/plain');
      await upload.write('some');
      const response = await pending;
      await response.body?.getReader().read();

      controller.abort();
      for (let piece = 0; piece < 64; piece += 1) await upload.write(Buffer.alloc(64 * 1024));
      const answer = await upload.end();
      const following = await roundTrip(() => httpCall(origin, '/again'), '"still here"');

      expect(answer.status).toBe(202);
      expect(following.response.text).toBe('"still here"');
    });

    it('ends the body where the stream broke when it fails mid-stream', async () => {
      const pending = httpCall(origin, '/fails');
      const next = await runtime.next();
      const upload = new StreamingUpload(emulator.origin, next.requestId, HTTP_INTEGRATION_CONTENT_TYPE);

      await upload.write(`{"statusCode":200}${DELIMITER}half`);
      await upload.end(errorTrailers('Runtime.StreamError', 'gone'));
      const response = await pending;

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.text).toBe('half');
    });
  });

  it('answers 413 when the request body is over 6 MB', async () => {
    const response = await httpCall(origin, '/big', { method: 'POST', body: Buffer.alloc(6_291_457) });

    expect(response.status).toBe(413);
    expect(response.json).toEqual({
      Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
  });

  it('has no function URL listener when not asked for one', async () => {
    const plain = await RuntimeApiEmulator.start();

    const origin = plain.functionUrlOrigin;
    await plain.close();

    expect(origin).toBeUndefined();
  });
});

/** A request with repeated header lines exactly as given (fetch and headers objects merge them). */
function rawHttp(
  origin: string,
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  body: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${origin}${path}`, { method, agent: false }, (incoming) => {
      incoming.resume();
      incoming.on('end', () => resolve(incoming.statusCode ?? 0));
    });
    for (const [name, value] of headers) {
      const earlier = outgoing.getHeader(name);
      outgoing.setHeader(name, earlier === undefined ? value : [String(earlier), value].flat());
    }
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
