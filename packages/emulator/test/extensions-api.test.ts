import { RuntimeApiPath } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_EXTENSIONS } from '../src/extension-registry.js';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { type HttpAnswer, httpCall } from './support/http-call.js';

const REGISTER = '/2020-01-01/extension/register';
const EVENT_NEXT = '/2020-01-01/extension/event/next';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('RuntimeApiEmulator Extensions API', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'orders', functionVersion: '7' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  function register(
    name: string | undefined,
    body: string = JSON.stringify({ events: [] }),
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    return httpCall(emulator.origin, REGISTER, {
      method: 'POST',
      headers: { ...(name === undefined ? {} : { 'Lambda-Extension-Name': name }), ...headers },
      body,
    });
  }

  async function registerId(name: string, events: string[]): Promise<string> {
    const answer = await register(name, JSON.stringify({ events }));
    expect(answer.status).toBe(200);
    return answer.headers['lambda-extension-identifier'] ?? '';
  }

  /** A parked event/next; its socket error when the emulator closes is expected and swallowed. */
  function eventNext(id: string | undefined): Promise<HttpAnswer | undefined> {
    return httpCall(emulator.origin, EVENT_NEXT, {
      headers: id === undefined ? {} : { 'Lambda-Extension-Identifier': id },
    }).catch(() => undefined);
  }

  /** Answers the invocation a runtime `/next` delivered, with `{}`. */
  function respond(next: HttpAnswer): Promise<HttpAnswer> {
    const requestId = next.headers['lambda-runtime-aws-request-id'] ?? '';
    return httpCall(emulator.origin, RuntimeApiPath.response(requestId), { method: 'POST', body: '{}' });
  }

  function runtimeNext(): Promise<HttpAnswer | undefined> {
    return httpCall(emulator.origin, RuntimeApiPath.next).catch(() => undefined);
  }

  describe('register', () => {
    it('answers 200 with an identifier and the function names when an extension registers during Init', async () => {
      const answer = await register('my-ext', JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));

      expect(answer.status).toBe(200);
      expect(answer.headers['lambda-extension-identifier']).toMatch(UUID);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.json).toEqual({ functionName: 'orders', functionVersion: '7', handler: '' });
      expect(emulator.extensions).toEqual([
        {
          id: answer.headers['lambda-extension-identifier'],
          name: 'my-ext',
          events: ['INVOKE', 'SHUTDOWN'],
          registeredAt: expect.any(Number),
          parkedNext: false,
        },
      ]);
    });

    it('reports the _HANDLER of environment() and the account id when the feature is requested', async () => {
      emulator.environment({ _HANDLER: 'index.handler' });

      const answer = await register('ext', JSON.stringify({ events: [] }), {
        'Lambda-Extension-Accept-Feature': 'accountId',
      });

      expect(answer.json).toEqual({
        functionName: 'orders',
        functionVersion: '7',
        handler: 'index.handler',
        accountId: '012345678912',
      });
    });

    it('accepts a body without events when the body is an empty object', async () => {
      const answer = await register('ext', '{}');

      expect(answer.status).toBe(200);
      expect(emulator.extensions[0]?.events).toEqual([]);
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
    ])('answers 403 Extension.InvalidExtensionName when the name header is %s', async (_label, name) => {
      const answer = await register(name);

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'Extension.InvalidExtensionName' });
      expect(emulator.extensions).toEqual([]);
    });

    it.each([
      ['an unknown event', { events: ['INVOKE', 'TELEMETRY'] }],
      ['a lower-case event', { events: ['invoke'] }],
    ])('answers 403 Extension.InvalidEventType when the body has %s', async (_label, body) => {
      const answer = await register('ext', JSON.stringify(body));

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'Extension.InvalidEventType' });
      expect(emulator.extensions).toEqual([]);
    });

    it.each([
      ['not JSON', '{"events":'],
      ['empty', ''],
      ['an array', '["INVOKE"]'],
      ['events that are not strings', '{"events":[1]}'],
      ['configurationKeys', '{"events":["INVOKE"],"configurationKeys":["a"]}'],
    ])('answers 403 InvalidRequestFormat when the body is %s', async (_label, body) => {
      const answer = await register('ext', body);

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'InvalidRequestFormat' });
      expect(emulator.extensions).toEqual([]);
    });

    it('answers 403 Extension.RegistrationClosed when the runtime has called /next', async () => {
      const parked = runtimeNext();
      await emulator.waitForRequest((r) => r.endpoint === 'next');

      const answer = await register('late');

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'Extension.RegistrationClosed' });
      await emulator.close();
      await parked;
    });

    it(`answers 403 Extension.TooManyExtensions when ${MAX_EXTENSIONS} are registered`, async () => {
      for (let index = 0; index < MAX_EXTENSIONS; index += 1) await registerId(`ext-${index}`, []);

      const answer = await register('one-too-many');

      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ errorType: 'Extension.TooManyExtensions' });
      expect(emulator.extensions).toHaveLength(MAX_EXTENSIONS);
    });

    it('records register and event/next calls with their own endpoint names', async () => {
      const id = await registerId('ext', []);
      const parked = eventNext(id);

      const next = await emulator.waitForRequest((r) => r.endpoint === 'extension-next');

      expect(emulator.requests.map((r) => r.endpoint)).toEqual(['extension-register', 'extension-next']);
      expect(emulator.requests[0]).toMatchObject({ method: 'POST', path: REGISTER, status: 200 });
      expect(emulator.requests[0]?.headers['lambda-extension-name']).toBe('ext');
      expect(next).toMatchObject({ method: 'GET', path: EVENT_NEXT, status: undefined });
      await emulator.close();
      await parked;
    });
  });

  describe('event/next', () => {
    it('answers 403 Extension.MissingExtensionIdentifier when the identifier header is absent', async () => {
      const answer = await eventNext(undefined);

      expect(answer?.status).toBe(403);
      expect(answer?.json).toMatchObject({ errorType: 'Extension.MissingExtensionIdentifier' });
    });

    it('answers 403 Extension.UnknownExtensionIdentifier when the identifier was never issued', async () => {
      const answer = await eventNext('2b1f2d4c-1111-4222-8333-444455556666');

      expect(answer?.status).toBe(403);
      expect(answer?.json).toMatchObject({ errorType: 'Extension.UnknownExtensionIdentifier' });
    });

    it('delivers INVOKE with the /next deadline, id, ARN and tracing when an invocation is delivered', async () => {
      const id = await registerId('ext', ['INVOKE']);
      const event = eventNext(id);
      await emulator.waitForRequest((r) => r.endpoint === 'extension-next');
      expect(emulator.extensions[0]?.parkedNext).toBe(true);

      const pending = emulator.invoke(
        { a: 1 },
        {
          traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:012345678912:function:orders:prod',
        },
      );
      const next = await httpCall(emulator.origin, RuntimeApiPath.next);
      const delivered = await event;

      expect(delivered?.status).toBe(200);
      expect(delivered?.headers['lambda-extension-event-identifier']).toMatch(UUID);
      expect(delivered?.json).toEqual({
        eventType: 'INVOKE',
        deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
        requestId: next.headers['lambda-runtime-aws-request-id'],
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:012345678912:function:orders:prod',
        tracing: {
          type: 'X-Amzn-Trace-Id',
          value: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
        },
      });
      expect(emulator.extensions[0]?.parkedNext).toBe(false);
      await respond(next);
      await pending;
    });

    it('omits tracing and keeps the INVOKE for a later event/next when the extension was not waiting', async () => {
      const id = await registerId('ext', ['INVOKE']);
      const pending = emulator.invoke({});
      const next = await httpCall(emulator.origin, RuntimeApiPath.next);

      const delivered = await eventNext(id);

      expect(delivered?.json).toEqual({
        eventType: 'INVOKE',
        deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
        requestId: next.headers['lambda-runtime-aws-request-id'],
        invokedFunctionArn: emulator.functionArn,
      });
      await respond(next);
      await pending;
    });

    it('keeps an extension without INVOKE parked when invocations are delivered', async () => {
      const shutdownOnly = await registerId('shutdown-only', ['SHUTDOWN']);
      const none = await registerId('internal', []);
      const parkedShutdown = eventNext(shutdownOnly);
      const parkedNone = eventNext(none);
      await emulator.waitForRequest((r) => r.endpoint === 'extension-next' && r.seq === 4);

      const pending = emulator.invoke({});
      const next = await httpCall(emulator.origin, RuntimeApiPath.next);
      await respond(next);
      await pending;

      expect(emulator.extensions.map((e) => e.parkedNext)).toEqual([true, true]);
      expect(emulator.requests.filter((r) => r.endpoint === 'extension-next').map((r) => r.status)).toEqual([
        undefined,
        undefined,
      ]);
      await emulator.close();
      expect(await parkedShutdown).toBeUndefined();
      expect(await parkedNone).toBeUndefined();
    });

    it('delivers SHUTDOWN with the reason and a deadline only to SHUTDOWN subscribers when shutdown() runs', async () => {
      const invokeOnly = await registerId('invoke-only', ['INVOKE']);
      const both = await registerId('both', ['INVOKE', 'SHUTDOWN']);
      const parkedInvokeOnly = eventNext(invokeOnly);
      const event = eventNext(both);
      await emulator.waitForRequest((r) => r.endpoint === 'extension-next' && r.seq === 4);
      const before = Date.now();

      const result = await emulator.shutdown({ budgetMs: 1_500 });
      const delivered = await event;

      expect(result).toEqual({ code: null, signal: null, sigtermAt: undefined, exitedAt: undefined });
      expect(delivered?.headers['lambda-extension-event-identifier']).toMatch(UUID);
      expect(delivered?.json).toEqual({
        eventType: 'SHUTDOWN',
        shutdownReason: 'spindown',
        deadlineMs: expect.any(Number),
      });
      const { deadlineMs } = (delivered?.json ?? {}) as { deadlineMs?: number };
      expect(deadlineMs).toBeGreaterThanOrEqual(before + 1_500);
      expect(deadlineMs).toBeLessThanOrEqual(Date.now() + 1_500);
      expect(emulator.extensions.find((e) => e.name === 'invoke-only')?.parkedNext).toBe(true);
      await emulator.close();
      expect(await parkedInvokeOnly).toBeUndefined();
    });

    it('sets the SHUTDOWN deadline 500 ms ahead when shutdown() gets no budget', async () => {
      const id = await registerId('ext', ['SHUTDOWN']);
      const event = eventNext(id);
      await emulator.waitForRequest((r) => r.endpoint === 'extension-next');
      const before = Date.now();

      await emulator.shutdown();
      const after = Date.now();
      const { deadlineMs } = ((await event)?.json ?? {}) as { deadlineMs?: number };

      expect(deadlineMs).toBeGreaterThanOrEqual(before + 500);
      expect(deadlineMs).toBeLessThanOrEqual(after + 500);
    });

    it('ends parked event/next calls when the emulator closes', async () => {
      const id = await registerId('internal', []);
      const parked = eventNext(id);
      await emulator.waitForRequest((r) => r.endpoint === 'extension-next');

      await emulator.close();

      expect(await parked).toBeUndefined();
    });
  });
});
