import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FRONT_DOOR_PATH } from '../src/invoke-front-door.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { RuntimeClient } from './support/runtime-client.js';
import { until } from './support/until.js';

describe('InvokeFrontDoor', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: RuntimeClient;
  let url: string;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    runtime = new RuntimeClient(emulator.origin);
    url = `${emulator.origin}${FRONT_DOOR_PATH}`;
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('answers 200 with the payload when the runtime responds', async () => {
    const call = fetch(url, { method: 'POST', body: '{"question":42}' });
    const next = await runtime.next();
    await runtime.respond(next.requestId, '{"answer":42}', { 'content-type': 'application/json' });

    const response = await call;

    expect(next.body.toString()).toBe('{"question":42}');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-amz-function-error')).toBeNull();
    expect(response.headers.get('x-amzn-requestid')).toBe(next.requestId);
    expect(await response.json()).toEqual({ answer: 42 });
    expect(emulator.requests.some((request) => request.path.startsWith('/2015-03-31'))).toBe(false);
  });

  it('answers 200 with the error document and X-Amz-Function-Error when the function fails', async () => {
    const call = fetch(url, { method: 'POST', body: '{}' });
    const next = await runtime.next();
    const document = { errorType: 'Boom', errorMessage: 'it broke', stackTrace: ['Boom: it broke'] };
    await runtime.fail(next.requestId, document, 'Boom');

    const response = await call;

    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toEqual(document);
  });

  it('maps X-Amzn-Trace-Id, X-Amz-Client-Context and X-Amz-Tenant-Id to the /next headers', async () => {
    const clientContext = '{"client":{"appTitle":"app"},"custom":{"k":"v"},"env":{"locale":"en"}}';
    const call = fetch(url, {
      method: 'POST',
      body: '{}',
      headers: {
        'X-Amzn-Trace-Id': 'Root=1-6791a2b3-0123456789abcdef01234567;Sampled=1',
        'X-Amz-Client-Context': Buffer.from(clientContext).toString('base64'),
        'X-Amz-Tenant-Id': 'tenant-7',
      },
    });
    const next = await runtime.next();
    await runtime.respond(next.requestId, '{}');

    await (await call).arrayBuffer();

    expect(next.headers['lambda-runtime-trace-id']).toBe(
      'Root=1-6791a2b3-0123456789abcdef01234567;Sampled=1',
    );
    expect(next.headers['lambda-runtime-client-context']).toBe(clientContext);
    expect(next.headers['lambda-runtime-aws-tenant-id']).toBe('tenant-7');
  });

  it('sends no optional /next headers when the caller sends none', async () => {
    const call = fetch(url, { method: 'POST', body: '{}' });
    const next = await runtime.next();
    await runtime.respond(next.requestId, '{}');

    await (await call).arrayBuffer();

    expect(next.headers).not.toHaveProperty('lambda-runtime-trace-id');
    expect(next.headers).not.toHaveProperty('lambda-runtime-client-context');
    expect(next.headers).not.toHaveProperty('lambda-runtime-aws-tenant-id');
  });

  it('answers 500 like the RIE when X-Amz-Client-Context is not valid base64', async () => {
    const response = await fetch(url, {
      method: 'POST',
      body: '{}',
      headers: { 'X-Amz-Client-Context': 'not base64!' },
    });

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ errorType: 'InvalidClientContext' });
  });

  it('queues a concurrent caller and answers it after the invocation in flight', async () => {
    const first = fetch(url, { method: 'POST', body: '{"n":1}' });
    const next = await runtime.next();

    const second = fetch(url, { method: 'POST', body: '{"n":2}' });
    await until(() => emulator.queuedInvocations === 1);
    await runtime.respond(next.requestId, '{"served":1}');
    const secondNext = await runtime.next();
    await runtime.respond(secondNext.requestId, '{"served":2}');

    expect(secondNext.body.toString()).toBe('{"n":2}');
    expect(await (await first).json()).toEqual({ served: 1 });
    expect(await (await second).json()).toEqual({ served: 2 });
    expect(emulator.maxInFlight).toBe(1);
  });

  it('answers 405 when the method is not POST', async () => {
    const response = await fetch(url);

    expect(response.status).toBe(405);
    await response.arrayBuffer();
  });
});
