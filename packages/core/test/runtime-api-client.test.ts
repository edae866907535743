import { readFileSync } from 'node:fs';
import { ProtocolError, RuntimeApiError, type Transport } from '@lambda-runtime/api';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { UndiciTransport } from '@lambda-runtime/transport-undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeApiClient, VERSION } from '../src/index.js';

const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

describe('RuntimeApiClient', () => {
  let emulator: RuntimeApiEmulator;
  let transport: UndiciTransport;
  let client: RuntimeApiClient;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    transport = new UndiciTransport({ origin: emulator.origin });
    client = new RuntimeApiClient(transport);
  });

  afterEach(async () => {
    await emulator.close();
    await transport.close();
  });

  it('item 6: sends a User-Agent with the runtime version and node version on every request', async () => {
    const first = emulator.invoke({ n: 1 });
    const one = await client.next();
    await client.postResponse(one.requestId, json({ ok: true }));
    await first;
    const second = emulator.invoke({ n: 2 });
    const two = await client.next();
    await client.postError(two.requestId, { errorType: 'E', errorMessage: 'm', stackTrace: [] });
    await second;

    const agents = emulator.requests.map((r) => r.headers['user-agent']);

    expect(agents).toHaveLength(4);
    for (const agent of agents) {
      expect(agent).toBe(`lambda-runtime/${VERSION} node/${process.versions.node}`);
    }
  });

  it('item 6: keeps the User-Agent version equal to the package version', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };

    expect(VERSION).toBe(manifest.version);
  });

  it('item 9: returns the raw body and the §3.1 headers of a /next 200', async () => {
    const invoked = emulator.invoke(undefined, {
      rawBody: 'plain text',
      contentType: 'text/plain',
      traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
      tenantId: 'tenant-7',
      deadlineMs: 1_767_225_600_123,
    });

    const invocation = await client.next();
    await client.postResponse(invocation.requestId, json(null));
    const result = await invoked;

    expect(invocation.requestId).toBe(result.requestId);
    expect(Buffer.from(invocation.body).toString('utf8')).toBe('plain text');
    expect(invocation.contentType).toBe('text/plain');
    expect(invocation.traceId).toBe(
      'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    expect(invocation.tenantId).toBe('tenant-7');
    expect(invocation.deadlineMs).toBe('1767225600123');
    expect(invocation.invokedFunctionArn).toMatch(/^arn:aws:lambda:/);
  });

  it('item 9: defaults the content type to application/json when /next sends none', async () => {
    const invoked = emulator.invoke({ a: 1 }, { contentType: null });

    const invocation = await client.next();
    await client.postResponse(invocation.requestId, json(null));
    await invoked;

    expect(invocation.contentType).toBe('application/json');
  });

  it('item 15: treats present but empty optional headers as absent', async () => {
    const invoked = emulator.invoke(
      { a: 1 },
      {
        extraHeaders: {
          'Lambda-Runtime-Client-Context': '',
          'Lambda-Runtime-Cognito-Identity': '',
          'Lambda-Runtime-Trace-Id': '',
          'Lambda-Runtime-Aws-Tenant-Id': '',
        },
      },
    );

    const invocation = await client.next();
    await client.postResponse(invocation.requestId, json(null));
    await invoked;

    expect(invocation.clientContext).toBeUndefined();
    expect(invocation.cognitoIdentity).toBeUndefined();
    expect(invocation.traceId).toBeUndefined();
    expect(invocation.tenantId).toBeUndefined();
  });

  it('item 15: reads header names case-insensitively when a transport does not lower-case them', async () => {
    const mixedCase: Transport = {
      request: async () => ({
        status: 200,
        headers: {
          'Lambda-Runtime-Aws-Request-Id': 'abc',
          'LAMBDA-RUNTIME-DEADLINE-MS': '42',
          'Content-Type': 'text/plain',
        },
        body: new Uint8Array(),
      }),
      close: async () => undefined,
    };

    const invocation = await new RuntimeApiClient(mixedCase).next();

    expect(invocation.requestId).toBe('abc');
    expect(invocation.deadlineMs).toBe('42');
    expect(invocation.contentType).toBe('text/plain');
  });

  it('item 16: throws a ProtocolError when a /next 200 has no request id', async () => {
    const invoked = emulator.invoke(
      { a: 1 },
      { extraHeaders: { 'Lambda-Runtime-Aws-Request-Id': '' }, timeoutMs: 500 },
    );
    invoked.catch(() => undefined);

    await expect(client.next()).rejects.toBeInstanceOf(ProtocolError);
  });

  it('item 18: URL-encodes the request id in the /response path', async () => {
    const requestId = 'id/with space?&#';
    const invoked = emulator.invoke({ a: 1 }, { requestId });

    const invocation = await client.next();
    const posted = await client.postResponse(invocation.requestId, json({ ok: 1 }));
    await invoked;

    expect(invocation.requestId).toBe(requestId);
    expect(posted.status).toBe(202);
    expect(emulator.requests.at(-1)?.path).toBe(
      `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
    );
  });

  it('item 19: never sends Lambda-Runtime-Function-Response-Mode on a buffered response', async () => {
    const invoked = emulator.invoke({ a: 1 });

    const invocation = await client.next();
    await client.postResponse(invocation.requestId, json({ ok: 1 }));
    const result = await invoked;

    const post = emulator.requests.at(-1);
    expect(post?.headers).not.toHaveProperty('lambda-runtime-function-response-mode');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(result.json()).toEqual({ ok: 1 });
  });

  it('items 24, 26: posts /error with Content-Type application/json, the error-type header and the document', async () => {
    const invoked = emulator.invoke({ a: 1 });
    const document = { errorType: 'OrderNotFound', errorMessage: 'order 42', stackTrace: ['at x'] };

    const invocation = await client.next();
    const posted = await client.postError(invocation.requestId, document);
    const result = await invoked;

    const post = emulator.requests.at(-1);
    expect(posted.status).toBe(202);
    expect(post?.path).toBe(`/2018-06-01/runtime/invocation/${invocation.requestId}/error`);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.headers['lambda-runtime-function-error-type']).toBe('OrderNotFound');
    expect(JSON.parse(post?.body.toString('utf8') ?? '')).toEqual(document);
    expect(result.status).toBe('error');
  });

  it('item 26: posts /init/error with Content-Type application/json and the error-type header', async () => {
    const document = { errorType: 'Runtime.HandlerNotFound', errorMessage: 'no handler', stackTrace: [] };

    const posted = await client.postInitError(document);

    const post = emulator.requests.at(-1);
    expect(posted.status).toBe(202);
    expect(post?.path).toBe('/2018-06-01/runtime/init/error');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.headers['lambda-runtime-function-error-type']).toBe('Runtime.HandlerNotFound');
    expect(JSON.parse(post?.body.toString('utf8') ?? '')).toEqual(document);
  });

  it('item 24: replaces characters that are not allowed in a header value in the error type', async () => {
    const invoked = emulator.invoke({ a: 1 });

    const invocation = await client.next();
    const posted = await client.postError(invocation.requestId, {
      errorType: 'Bad\nType ✓',
      errorMessage: 'm',
      stackTrace: [],
    });
    await invoked;

    const post = emulator.requests.at(-1);
    expect(posted.status).toBe(202);
    expect(post?.headers['lambda-runtime-function-error-type']).toBe('Bad_Type _');
    expect(JSON.parse(post?.body.toString('utf8') ?? '').errorType).toBe('Bad\nType ✓');
  });

  it('item 23: returns status and API error type on a 400 or 403 instead of throwing', async () => {
    const invoked = emulator.invoke({ a: 1 });

    const invocation = await client.next();
    const wrongId = await client.postResponse('not-the-current-id', json(1));
    const first = await client.postResponse(invocation.requestId, json(1));
    const second = await client.postResponse(invocation.requestId, json(2));
    await invoked;

    expect(wrongId).toEqual({ status: 400, apiErrorType: 'InvalidRequestID' });
    expect(first).toEqual({ status: 202 });
    expect(second).toEqual({ status: 403, apiErrorType: 'InvalidStateTransition' });
  });

  it('item 8: throws RuntimeApiError on a 5xx from a post', async () => {
    const invoked = emulator.invoke({ a: 1 }, { timeoutMs: 1_000 });
    invoked.catch(() => undefined);
    const invocation = await client.next();
    emulator.failNext('response', 500);

    const posting = client.postResponse(invocation.requestId, json(1));

    await expect(posting).rejects.toBeInstanceOf(RuntimeApiError);
    await expect(posting).rejects.toMatchObject({ status: 500 });
  });

  it('item 8: throws RuntimeApiError on a 5xx or 403 from /next', async () => {
    emulator.failNext('next', 500);
    await expect(client.next()).rejects.toMatchObject({ name: 'RuntimeApiError', status: 500 });

    emulator.failNext('next', 403);
    await expect(client.next()).rejects.toMatchObject({ name: 'RuntimeApiError', status: 403 });
  });
});
