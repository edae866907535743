import { Agent } from 'node:http';
import { RuntimeApiPath } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeApiEmulator } from '../src/runtime-api-emulator.js';
import { errorCodeOf, type HttpAnswer, httpCall } from './support/http-call.js';

describe('RuntimeApiEmulator fault injection', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  function next(agent?: Agent): Promise<HttpAnswer> {
    return httpCall(emulator.origin, RuntimeApiPath.next, { agent });
  }

  function respond(answer: HttpAnswer, agent?: Agent): Promise<HttpAnswer> {
    return httpCall(
      emulator.origin,
      RuntimeApiPath.response(answer.headers['lambda-runtime-aws-request-id'] ?? ''),
      {
        method: 'POST',
        body: '{"ok":true}',
        agent,
      },
    );
  }

  describe('failNext on /next', () => {
    it.each([
      [500, 'InternalServerError'],
      [502, 'InternalServerError'],
      [503, 'InternalServerError'],
      [400, 'InvalidRequestID'],
      [403, 'InvalidStateTransition'],
      [404, 'InjectedError'],
      [429, 'InjectedError'],
    ])(
      'answers %i once and then delivers the invocation when the runtime polls again',
      async (status, errorType) => {
        emulator.failNext('next', status);
        const pending = emulator.invoke({ n: 1 });

        const failed = await next();
        const delivered = await next();
        await respond(delivered);

        expect(failed.status).toBe(status);
        expect(failed.json).toEqual({ errorType, errorMessage: `Injected ${status} on next` });
        expect(delivered.status).toBe(200);
        expect(delivered.json).toEqual({ n: 1 });
        expect((await pending).status).toBe('success');
        expect(emulator.requests.map((r) => r.status)).toEqual([status, 200, 202]);
      },
    );

    it('sends the given body verbatim when failNext has a string body', async () => {
      emulator.failNext('next', 502, '<html>Bad Gateway</html>');

      const failed = await next();

      expect(failed.status).toBe(502);
      expect(failed.text).toBe('<html>Bad Gateway</html>');
    });

    it('still accepts /init/error when the only /next so far got an injected failure', async () => {
      emulator.failNext('next', 500);
      await next();

      const initError = await httpCall(emulator.origin, RuntimeApiPath.initError, {
        method: 'POST',
        body: '{"errorType":"E","errorMessage":"m"}',
      });

      expect(initError.status).toBe(202);
    });
  });

  describe('resetNext', () => {
    it('resets the connection of the next /next without an answer and serves the retry', async () => {
      emulator.resetNext();
      const pending = emulator.invoke({ n: 2 });

      const code = await errorCodeOf(next());
      const retry = await next();
      await respond(retry);

      expect(code).toBe('ECONNRESET');
      expect(retry.json).toEqual({ n: 2 });
      expect((await pending).requestId).toBe(retry.headers['lambda-runtime-aws-request-id']);
      expect(emulator.requests[0]).toMatchObject({ endpoint: 'next', status: undefined });
      expect(emulator.requests[0]?.answeredAt).toEqual(expect.any(Number));
      expect(emulator.requests[0]?.requestId).toBeUndefined();
    });

    it('resets as many /next calls as resetNext was called and leaves a parked /next alone', async () => {
      const agent = new Agent({ keepAlive: true });
      const parked = next(agent);
      await emulator.waitForRequest((r) => r.endpoint === 'next');

      emulator.resetNext();
      emulator.resetNext();
      const first = await errorCodeOf(next());
      const second = await errorCodeOf(next());
      const pending = emulator.invoke({ n: 3 });
      const delivered = await parked;
      await respond(delivered, agent);
      agent.destroy();

      expect([first, second]).toEqual(['ECONNRESET', 'ECONNRESET']);
      expect(delivered.json).toEqual({ n: 3 });
      expect((await pending).status).toBe('success');
    });
  });

  describe('stopListening and resumeListening', () => {
    it('refuses connections while stopped and serves the queued invocation on the same port when resumed', async () => {
      const agent = new Agent({ keepAlive: true });
      const parked = errorCodeOf(next(agent));
      await emulator.waitForRequest((r) => r.endpoint === 'next');
      const runtimeApi = emulator.runtimeApi;

      await emulator.stopListening();
      const parkedCode = await parked;
      const refused = await errorCodeOf(next(agent));
      const pending = emulator.invoke({ n: 4 });
      await emulator.resumeListening();
      const delivered = await next(agent);
      await respond(delivered, agent);
      agent.destroy();

      expect(parkedCode).toMatch(/^(ECONNRESET|EPIPE)$/);
      expect(refused).toBe('ECONNREFUSED');
      expect(emulator.runtimeApi).toBe(runtimeApi);
      expect(emulator.server.listening).toBe(true);
      expect(delivered.json).toEqual({ n: 4 });
      expect((await pending).status).toBe('success');
      expect(emulator.pendingNext).toBe(0);
    });

    it('accepts the answer for an invocation in flight when the runtime posts it after a resume', async () => {
      const pending = emulator.invoke({ n: 5 });
      const delivered = await next();

      await emulator.stopListening();
      const refused = await errorCodeOf(respond(delivered));
      await emulator.resumeListening();
      const accepted = await respond(delivered);

      expect(refused).toBe('ECONNREFUSED');
      expect(accepted.status).toBe(202);
      expect((await pending).json()).toEqual({ ok: true });
    });

    it('does nothing when stopped twice or resumed while listening, and closes while stopped', async () => {
      await emulator.resumeListening();
      await emulator.stopListening();
      await emulator.stopListening();

      await emulator.close();

      expect(emulator.server.listening).toBe(false);
      await expect(emulator.resumeListening()).rejects.toThrow(/closed/);
    });
  });

  describe('delayNext', () => {
    it('answers /next only after the delay when an invocation is already queued', async () => {
      const pending = emulator.invoke({ n: 6 });
      emulator.delayNext(300);

      const delivered = await next();
      await respond(delivered);

      const record = emulator.requests[0];
      expect(delivered.json).toEqual({ n: 6 });
      expect((record?.answeredAt ?? 0) - (record?.receivedAt ?? 0)).toBeGreaterThanOrEqual(295);
      expect(Number(delivered.headers['lambda-runtime-deadline-ms'])).toBeGreaterThanOrEqual(
        (record?.receivedAt ?? 0) + 300 + 300_000 - 5,
      );
      expect((await pending).status).toBe('success');
    });

    it('delays only one delivery per call when several invocations follow', async () => {
      emulator.delayNext(2_000);
      const first = emulator.invoke({ n: 1 });
      const second = emulator.invoke({ n: 2 });

      await respond(await next());
      await respond(await next());
      await Promise.all([first, second]);

      const [firstNext, , secondNext] = emulator.requests;
      expect((firstNext?.answeredAt ?? 0) - (firstNext?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_995);
      expect(secondNext).toMatchObject({ endpoint: 'next', status: 200 });
      expect((secondNext?.answeredAt ?? 0) - (secondNext?.receivedAt ?? 0)).toBeLessThan(1_000);
    });

    it('gives the invocation to the next /next when the delayed /next goes away', async () => {
      const pending = emulator.invoke({ n: 7 });
      emulator.delayNext(60_000);
      const abandon = new AbortController();
      const first = errorCodeOf(httpCall(emulator.origin, RuntimeApiPath.next, { signal: abandon.signal }));
      await emulator.waitForRequest((r) => r.endpoint === 'next');

      abandon.abort();
      const abandonedCode = await first;
      const retry = await next();
      await respond(retry);

      expect(abandonedCode).toBe('ABORT_ERR');
      expect(retry.json).toEqual({ n: 7 });
      expect((await pending).requestId).toBe(retry.headers['lambda-runtime-aws-request-id']);
      expect(emulator.requests[0]?.requestId).toBeUndefined();
    });
  });
});
