import { Agent, request as httpRequest } from 'node:http';
import { MAX_RESPONSE_BYTES, RuntimeApiPath } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClosedError } from '../src/emulator-closed-error.js';
import { InvokeTimeoutError } from '../src/invoke-timeout-error.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { RuntimeClient } from './support/runtime-client.js';

describe('RuntimeApiEmulator', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: RuntimeClient;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    runtime = new RuntimeClient(emulator.origin);
  });

  afterEach(async () => {
    await emulator.close();
  });

  describe('addresses', () => {
    it('listens on 127.0.0.1 with a free port when no port is given', () => {
      expect(emulator.runtimeApi).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(emulator.origin).toBe(`http://${emulator.runtimeApi}`);
      expect(emulator.port).toBeGreaterThan(0);
    });

    it('disables the request timeout and keeps idle connections long when serving long polls', () => {
      expect(emulator.server.requestTimeout).toBe(0);
      expect(emulator.server.timeout).toBe(0);
      expect(emulator.server.keepAliveTimeout).toBeGreaterThanOrEqual(60 * 60 * 1000);
    });
  });

  describe('happy path', () => {
    it('resolves invoke with the /response payload when the runtime answers 202', async () => {
      const pending = emulator.invoke({ hello: 'world' });
      const next = await runtime.next();

      const answer = await runtime.respond(next.requestId, '{"ok":true}', {
        'content-type': 'application/json',
      });
      const result = await pending;

      expect(next.status).toBe(200);
      expect(JSON.parse(next.body.toString())).toEqual({ hello: 'world' });
      expect(answer).toEqual({ status: 202, json: { status: 'OK' } });
      expect(result.requestId).toBe(next.requestId);
      expect(result.status).toBe('success');
      expect(result.via).toBe('response');
      expect(result.json()).toEqual({ ok: true });
      expect(result.payload.toString()).toBe('{"ok":true}');
      expect(result.contentType).toBe('application/json');
      expect(result.error).toBeUndefined();
      expect(result.errorType).toBeUndefined();
      expect(result.request?.status).toBe(202);
    });

    it('delivers rawBody bytes verbatim and the given request id when they are set', async () => {
      const bytes = Uint8Array.from([0, 1, 2, 255]);
      const pending = emulator.invoke(undefined, {
        rawBody: bytes,
        requestId: 'fixed-id',
        contentType: 'image/png',
      });

      const next = await runtime.next();
      await runtime.respond(next.requestId, 'done', { 'content-type': 'text/plain' });

      expect([...next.body]).toEqual([0, 1, 2, 255]);
      expect(next.headers['content-type']).toBe('image/png');
      expect(next.requestId).toBe('fixed-id');
      expect((await pending).contentType).toBe('text/plain');
    });

    it('sends null when the event is undefined and no rawBody is given', async () => {
      const pending = emulator.invoke(undefined);

      const next = await runtime.next();
      await runtime.respond(next.requestId, 'null');

      expect(next.body.toString()).toBe('null');
      await pending;
    });
  });

  describe('error path', () => {
    it('resolves with the error document and the header type when the runtime posts /error', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();
      const document = {
        errorType: 'TypeError',
        errorMessage: 'x is not a function',
        stackTrace: ['TypeError: x'],
      };

      const answer = await runtime.fail(next.requestId, document, 'Custom.HeaderType');
      const result = await pending;

      expect(answer.status).toBe(202);
      expect(result.status).toBe('error');
      expect(result.via).toBe('error');
      expect(result.errorType).toBe('Custom.HeaderType');
      expect(result.error).toEqual(document);
      expect(result.json()).toEqual(document);
    });

    it('takes errorType from the body when the error-type header is absent', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      await runtime.fail(next.requestId, { errorType: 'BodyType', errorMessage: 'm', stackTrace: [] });

      expect((await pending).errorType).toBe('BodyType');
    });

    it('builds the error from the header when the error body is not JSON', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      await runtime.post(RuntimeApiPath.error(next.requestId), 'not json', {
        'lambda-runtime-function-error-type': 'Runtime.Broken',
      });

      expect((await pending).error).toEqual({
        errorType: 'Runtime.Broken',
        errorMessage: 'not json',
        stackTrace: [],
      });
    });
  });

  describe('status codes', () => {
    it('answers 400 InvalidRequestID when the id is not the invocation in flight', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      const wrongResponse = await runtime.respond('not-the-id', '{}');
      const wrongError = await runtime.fail('not-the-id', {
        errorType: 'E',
        errorMessage: 'm',
        stackTrace: [],
      });
      await runtime.respond(next.requestId, '{}');

      expect(wrongResponse).toEqual({
        status: 400,
        json: { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' },
      });
      expect(wrongError.status).toBe(400);
      expect((await pending).status).toBe('success');
    });

    it('answers 400 when a /response arrives before any invocation', async () => {
      const answer = await runtime.respond('nothing-in-flight', '{}');

      expect(answer.status).toBe(400);
    });

    it('answers 403 InvalidStateTransition when the same id is answered a second time', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();
      await runtime.respond(next.requestId, '{"first":true}');

      const secondResponse = await runtime.respond(next.requestId, '{"second":true}');
      const laterError = await runtime.fail(next.requestId, {
        errorType: 'E',
        errorMessage: 'm',
        stackTrace: [],
      });

      expect(secondResponse.status).toBe(403);
      expect(secondResponse.json).toMatchObject({ errorType: 'InvalidStateTransition' });
      expect(laterError.status).toBe(403);
      expect((await pending).json()).toEqual({ first: true });
    });

    it('answers 403 to /init/error when it comes after the first /next', async () => {
      void runtime.park();
      await emulator.waitForRequest((request) => request.endpoint === 'next');

      const answer = await runtime.initError({ errorType: 'Late', errorMessage: 'too late', stackTrace: [] });

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'InvalidStateTransition' });
      expect(emulator.initError).toBeUndefined();
    });

    it('answers 403 to /next and resolves invocations with the init error when /init/error was accepted', async () => {
      const pending = emulator.invoke({});
      const document = {
        errorType: 'ConfigError',
        errorMessage: 'no table',
        stackTrace: ['ConfigError: no table'],
      };

      const answer = await runtime.initError(document, 'ConfigError');
      const next = await runtime.next();
      const result = await pending;
      const later = await emulator.invoke({});

      expect(answer).toEqual({ status: 202, json: { status: 'OK' } });
      expect(next.status).toBe(403);
      expect(JSON.parse(next.body.toString())).toMatchObject({ errorType: 'InvalidStateTransition' });
      expect(result).toMatchObject({
        status: 'error',
        via: 'init-error',
        errorType: 'ConfigError',
        error: document,
      });
      expect(later).toMatchObject({ status: 'error', via: 'init-error', errorType: 'ConfigError' });
      expect(later.requestId).not.toBe(result.requestId);
      expect(emulator.initError).toEqual({ ...document, errorTypeHeader: 'ConfigError' });
    });

    it('answers 403 to a second /init/error', async () => {
      await runtime.initError({ errorType: 'A', errorMessage: 'a', stackTrace: [] });

      const second = await runtime.initError({ errorType: 'B', errorMessage: 'b', stackTrace: [] });

      expect(second.status).toBe(403);
      expect(emulator.initError?.errorType).toBe('A');
    });

    it(`accepts a /response of exactly ${MAX_RESPONSE_BYTES} bytes with 202`, async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      const answer = await runtime.respond(next.requestId, Buffer.alloc(MAX_RESPONSE_BYTES, 0x61), {
        'content-type': 'text/plain',
      });

      expect(MAX_RESPONSE_BYTES).toBe(6_291_556);
      expect(answer.status).toBe(202);
      expect((await pending).payload.length).toBe(MAX_RESPONSE_BYTES);
    });

    it('answers 413 and fails the invocation as Function.ResponseSizeTooLarge when the body is one byte over', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      const answer = await runtime.respond(next.requestId, Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61));
      const laterError = await runtime.fail(next.requestId, {
        errorType: 'E',
        errorMessage: 'm',
        stackTrace: [],
      });
      const result = await pending;

      expect(answer).toEqual({
        status: 413,
        json: {
          errorType: 'RequestEntityTooLarge',
          errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).',
        },
      });
      expect(laterError.status).toBe(403);
      expect(result.status).toBe('error');
      expect(result.via).toBe('response');
      expect(result.errorType).toBe('Function.ResponseSizeTooLarge');
      expect(result.error?.errorMessage).toBe(
        'Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).',
      );
      const recorded = emulator.requests.find((request) => request.status === 413);
      expect(recorded?.bodyLength).toBe(MAX_RESPONSE_BYTES + 1);
      expect(recorded?.body.length).toBe(MAX_RESPONSE_BYTES);
    });

    it('answers 404 with a JSON error when the path is unknown', async () => {
      const answer = await runtime.post('/2018-06-01/runtime/unknown', '{}');
      const get = await fetch(`${emulator.origin}/nowhere`);

      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ errorType: 'NotFound' });
      expect(get.status).toBe(404);
      await get.arrayBuffer();
    });

    it('answers 405 when a known path gets the wrong method', async () => {
      const answer = await runtime.post(RuntimeApiPath.next, '');

      expect(answer.status).toBe(405);
    });

    it('answers the injected status on each endpoint once when failNext is used', async () => {
      emulator.failNext('next');
      emulator.failNext('init-error', 500, { errorType: 'Custom', errorMessage: 'custom body' });
      emulator.failNext('response', 503);
      emulator.failNext('error');

      const failedNext = await runtime.next();
      const failedInit = await runtime.initError({ errorType: 'E', errorMessage: 'm', stackTrace: [] });
      const pending = emulator.invoke({});
      const next = await runtime.next();
      const failedResponse = await runtime.respond(next.requestId, '{}');
      const failedError = await runtime.fail(next.requestId, {
        errorType: 'E',
        errorMessage: 'm',
        stackTrace: [],
      });
      const realResponse = await runtime.respond(next.requestId, '{"ok":1}');

      expect(failedNext.status).toBe(500);
      expect(JSON.parse(failedNext.body.toString())).toMatchObject({ errorType: 'InternalServerError' });
      expect(failedInit).toEqual({ status: 500, json: { errorType: 'Custom', errorMessage: 'custom body' } });
      expect(emulator.initError).toBeUndefined();
      expect(next.status).toBe(200);
      expect(failedResponse.status).toBe(503);
      expect(failedError.status).toBe(500);
      expect(realResponse.status).toBe(202);
      expect((await pending).json()).toEqual({ ok: 1 });
    });
  });

  describe('/next headers', () => {
    it('sends request id, deadline = now + timeout, ARN and content type when nothing optional is set', async () => {
      await emulator.close();
      emulator = await RuntimeApiEmulator.start({
        functionName: 'orders',
        region: 'eu-west-1',
        accountId: '111122223333',
        timeoutSeconds: 7,
      });
      runtime = new RuntimeClient(emulator.origin);
      const pending = emulator.invoke({});

      const before = Date.now();
      const next = await runtime.next();
      const after = Date.now();
      await runtime.respond(next.requestId, '{}');
      await pending;

      expect(next.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
      expect(deadline).toBeGreaterThanOrEqual(before + 7000);
      expect(deadline).toBeLessThanOrEqual(after + 7000);
      expect(next.headers['lambda-runtime-invoked-function-arn']).toBe(
        'arn:aws:lambda:eu-west-1:111122223333:function:orders',
      );
      expect(next.headers['content-type']).toBe('application/json');
      expect(next.headers).not.toHaveProperty('lambda-runtime-trace-id');
      expect(next.headers).not.toHaveProperty('lambda-runtime-client-context');
      expect(next.headers).not.toHaveProperty('lambda-runtime-cognito-identity');
      expect(next.headers).not.toHaveProperty('lambda-runtime-aws-tenant-id');
    });

    it('sends every optional header when the invoke sets it', async () => {
      const pending = emulator.invoke(
        {},
        {
          traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
          clientContext: '{"client":{},"custom":{"a":1},"env":{}}',
          cognitoIdentity: '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
          tenantId: 'acme',
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:012345678912:function:test_function:live',
          deadlineMs: 1_767_225_600_123,
        },
      );

      const next = await runtime.next();
      await runtime.respond(next.requestId, '{}');
      await pending;

      expect(next.headers).toMatchObject({
        'lambda-runtime-trace-id':
          'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
        'lambda-runtime-client-context': '{"client":{},"custom":{"a":1},"env":{}}',
        'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
        'lambda-runtime-aws-tenant-id': 'acme',
        'lambda-runtime-invoked-function-arn':
          'arn:aws:lambda:us-east-1:012345678912:function:test_function:live',
        'lambda-runtime-deadline-ms': '1767225600123',
      });
    });

    it('omits Content-Type when contentType is null and applies extraHeaders verbatim, empty values included', async () => {
      const pending = emulator.invoke(
        {},
        {
          contentType: null,
          extraHeaders: {
            'Lambda-Runtime-Client-Context': '',
            'Lambda-Runtime-Deadline-Ms': 'soon',
            'X-Extra': 'x',
          },
        },
      );

      const next = await runtime.next();
      await runtime.respond(next.requestId, '{}');
      await pending;

      expect(next.headers).not.toHaveProperty('content-type');
      expect(next.headers['lambda-runtime-client-context']).toBe('');
      expect(next.headers['lambda-runtime-deadline-ms']).toBe('soon');
      expect(next.headers['x-extra']).toBe('x');
    });
  });

  describe('request log', () => {
    it('records method, path, lower-case headers, body, times, status and the decoded id when the runtime calls', async () => {
      const pending = emulator.invoke({}, { requestId: 'id/with space' });
      const next = await runtime.next();

      await runtime.respond(next.requestId, '{"a":1}', { 'X-Custom-Header': 'Value' });
      await pending;

      const [nextRecord, responseRecord] = emulator.requests;
      expect(emulator.requests).toHaveLength(2);
      expect(nextRecord).toMatchObject({
        seq: 1,
        method: 'GET',
        path: RuntimeApiPath.next,
        endpoint: 'next',
        status: 200,
        requestId: 'id/with space',
      });
      expect(responseRecord).toMatchObject({
        seq: 2,
        method: 'POST',
        path: '/2018-06-01/runtime/invocation/id%2Fwith%20space/response',
        endpoint: 'response',
        status: 202,
        requestId: 'id/with space',
        aborted: false,
      });
      expect(responseRecord?.headers['x-custom-header']).toBe('Value');
      expect(responseRecord?.body.toString()).toBe('{"a":1}');
      expect(responseRecord?.bodyLength).toBe(7);
      expect(responseRecord?.receivedAt).toBeLessThanOrEqual(responseRecord?.answeredAt ?? 0);
      expect(nextRecord?.receivedAt).toBeLessThanOrEqual(responseRecord?.receivedAt ?? 0);
    });

    it('shows a parked /next with no status when waiting for it', async () => {
      void runtime.park();

      const parked = await emulator.waitForRequest((request) => request.endpoint === 'next');

      expect(parked.status).toBeUndefined();
      expect(parked.answeredAt).toBeUndefined();
      expect(emulator.pendingNext).toBe(1);
    });

    it('rejects waitForRequest when nothing matches in time', async () => {
      await expect(emulator.waitForRequest((request) => request.endpoint === 'error', 50)).rejects.toThrow(
        /within 50 ms/,
      );
    });

    it('keeps one connection across many invocations when the runtime uses a keep-alive agent', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 10; i += 1) {
          const pending = emulator.invoke({ i });
          const next = await rawRequest(agent, emulator.port, 'GET', RuntimeApiPath.next);
          const requestId = next.headers['lambda-runtime-aws-request-id'] as string;
          const answer = await rawRequest(
            agent,
            emulator.port,
            'POST',
            RuntimeApiPath.response(requestId),
            next.body,
          );
          expect(answer.status).toBe(202);
          expect((await pending).json()).toEqual({ i });
        }
      } finally {
        agent.destroy();
      }

      expect(new Set(emulator.requests.map((request) => request.connectionId)).size).toBe(1);
      expect(emulator.requests).toHaveLength(20);
    });
  });

  describe('concurrency and queueing', () => {
    it('supports item 17: reports 1 when the runtime polls one /next at a time', async () => {
      for (let i = 0; i < 3; i += 1) {
        const pending = emulator.invoke({ i });
        const next = await runtime.next();
        await runtime.respond(next.requestId, '{}');
        await pending;
      }

      expect(emulator.maxConcurrentNext).toBe(1);
    });

    it('supports item 17: reports 2 when two /next calls are open at once', async () => {
      void runtime.park();
      void runtime.park();

      await emulator.waitForRequest((request) => request.seq === 2 && request.endpoint === 'next');

      expect(emulator.maxConcurrentNext).toBe(2);
      expect(emulator.pendingNext).toBe(2);
    });

    it('delivers queued invocations in order, one at a time, when several are pending', async () => {
      const results = [emulator.invoke({ n: 1 }), emulator.invoke({ n: 2 }), emulator.invoke({ n: 3 })];

      const first = await runtime.next();
      const secondNext = runtime.next();
      await emulator.waitForRequest((request) => request.seq === 2);
      const parkedWhileBusy = emulator.pendingNext;
      await runtime.respond(first.requestId, first.body);
      const second = await secondNext;
      await runtime.respond(second.requestId, second.body);
      const third = await runtime.next();
      await runtime.respond(third.requestId, third.body);

      expect(parkedWhileBusy).toBe(1);
      expect((await Promise.all(results)).map((result) => result.json())).toEqual([
        { n: 1 },
        { n: 2 },
        { n: 3 },
      ]);
    });

    it('delivers an invocation to a /next that was parked before the invoke', async () => {
      const parked = runtime.next();
      await emulator.waitForRequest((request) => request.endpoint === 'next');

      const pending = emulator.invoke({ late: true });
      const next = await parked;
      await runtime.respond(next.requestId, '{}');

      expect(JSON.parse(next.body.toString())).toEqual({ late: true });
      expect((await pending).status).toBe('success');
    });
  });

  describe('streaming responses', () => {
    it('collects a chunked streaming response and reports an error trailer when the stream fails', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();
      const errorBody = Buffer.from(
        JSON.stringify({ errorType: 'StreamBroke', errorMessage: 'mid-way', stackTrace: [] }),
      ).toString('base64');

      const status = await streamResponse(emulator.port, next.requestId, ['part1-', 'part2'], {
        'lambda-runtime-function-error-type': 'StreamBroke',
        'lambda-runtime-function-error-body': errorBody,
      });
      const result = await pending;

      expect(status).toBe(202);
      expect(result.payload.toString()).toBe('part1-part2');
      expect(result.status).toBe('error');
      expect(result.errorType).toBe('StreamBroke');
      expect(result.error).toEqual({ errorType: 'StreamBroke', errorMessage: 'mid-way', stackTrace: [] });
      expect(result.request?.bodyChunks.length).toBeGreaterThanOrEqual(1);
    });

    it('resolves successfully when a streaming response ends without trailers', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      const status = await streamResponse(emulator.port, next.requestId, ['a', 'b', 'c'], undefined);

      expect(status).toBe(202);
      expect((await pending).payload.toString()).toBe('abc');
    });

    it('answers 400 InvalidFunctionResponseMode and fails the invocation when the mode is not streaming', async () => {
      const pending = emulator.invoke({});
      const next = await runtime.next();

      const answer = await runtime.respond(next.requestId, '{}', {
        'lambda-runtime-function-response-mode': 'buffered',
      });

      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ errorType: 'InvalidFunctionResponseMode' });
      expect((await pending).errorType).toBe('Runtime.InvalidResponseModeHeader');
    });
  });

  describe('timeouts and close', () => {
    it('rejects with InvokeTimeoutError and answers a late response with 410 when nobody answers in time', async () => {
      const outcome = emulator.invoke({}, { timeoutMs: 100 }).catch((error: unknown) => error);
      const next = await runtime.next();

      expect(await outcome).toBeInstanceOf(InvokeTimeoutError);
      const late = await runtime.respond(next.requestId, '{}');

      expect(late.status).toBe(410);
      expect(late.json).toMatchObject({ errorType: 'InvokeTimeout' });
    });

    it('rejects queued and in-flight invocations and waiters with EmulatorClosedError when closed', async () => {
      const inFlight = emulator.invoke({ n: 1 }).catch((error: unknown) => error);
      const queued = emulator.invoke({ n: 2 }).catch((error: unknown) => error);
      await runtime.next();
      const waiting = emulator.waitForRequest(() => false).catch((error: unknown) => error);

      await emulator.close();

      expect(await inFlight).toBeInstanceOf(EmulatorClosedError);
      expect(await queued).toMatchObject({
        message: expect.stringMatching(/closed before the invocation was answered/),
      });
      expect(await waiting).toBeInstanceOf(EmulatorClosedError);
      await expect(emulator.invoke({})).rejects.toBeInstanceOf(EmulatorClosedError);
    });

    it('ends a parked /next when closed', async () => {
      const parked = runtime.park();
      await emulator.waitForRequest((request) => request.endpoint === 'next');

      await emulator.close();

      expect(await parked).toBeUndefined();
    });
  });
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function rawRequest(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function streamResponse(
  port: number,
  requestId: string,
  parts: string[],
  trailers: Record<string, string> | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: RuntimeApiPath.response(requestId),
        headers: {
          'lambda-runtime-function-response-mode': 'streaming',
          'content-type': 'application/octet-stream',
          'transfer-encoding': 'chunked',
          trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    for (const part of parts) request.write(part);
    if (trailers !== undefined) request.addTrailers(trailers);
    request.end();
  });
}
