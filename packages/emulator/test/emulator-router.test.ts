import type { Logger } from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorRoute, EmulatorRouter, type FrontDoorHandler } from '../src/emulator-router.js';
import { EmulatorServer } from '../src/emulator-server.js';
import { RequestLog } from '../src/request-log.js';
import { httpCall } from './support/http-call.js';

const quiet: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => quiet,
};

describe('EmulatorRouter', () => {
  let log: RequestLog;
  let server: EmulatorServer;
  let origin: string;

  async function serve(routes: EmulatorRoute[], frontDoors = new Map<string, FrontDoorHandler>()) {
    const router = new EmulatorRouter({ log, logger: quiet, routes, frontDoors });
    server = new EmulatorServer((request, response) => router.handle(request, response));
    await server.listen(0, '127.0.0.1');
    origin = `http://${server.runtimeApi}`;
  }

  beforeEach(() => {
    log = new RequestLog();
  });

  afterEach(async () => {
    await server.close();
  });

  it('hands a pattern route its capture groups and records the request as its endpoint', async () => {
    await serve([
      {
        method: 'POST',
        path: /^\/things\/([^/]+)\/response$/,
        endpoint: 'response',
        handle: async (exchange, [id]) => {
          const read = await exchange.receive(100);
          exchange.sendJson(202, { id, body: read?.body.toString() });
        },
      },
    ]);

    const answer = await httpCall(origin, '/things/abc/response?x=1', { method: 'POST', body: 'hi' });

    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ id: 'abc', body: 'hi' });
    expect(log.records).toMatchObject([
      { endpoint: 'response', path: '/things/abc/response?x=1', status: 202, body: Buffer.from('hi') },
    ]);
  });

  it('answers 405 for a routed path with another method and 404 for an unrouted one', async () => {
    await serve([
      { method: 'GET', path: '/known', endpoint: 'next', handle: async (exchange) => exchange.accept() },
    ]);

    const wrongMethod = await httpCall(origin, '/known', { method: 'DELETE' });
    const unknown = await httpCall(origin, '/elsewhere');

    expect(wrongMethod.status).toBe(405);
    expect(unknown.status).toBe(404);
    expect(log.records.map((record) => [record.endpoint, record.status])).toEqual([
      ['next', 405],
      ['unknown', 404],
    ]);
  });

  it('answers 500 and completes the record when a handler throws', async () => {
    await serve([
      {
        method: 'GET',
        path: '/broken',
        endpoint: 'next',
        handle: async () => {
          throw new Error('handler bug');
        },
      },
    ]);

    const answer = await httpCall(origin, '/broken');

    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ errorType: 'InternalServerError', errorMessage: 'The emulator failed' });
    expect(log.records[0]?.status).toBe(500);
  });

  it('passes front-door paths to their handler without recording them', async () => {
    const frontDoor: FrontDoorHandler = async (_request, response) => {
      response.end('front');
    };
    await serve([], new Map([['/invoke', frontDoor]]));

    const answer = await httpCall(origin, '/invoke', { method: 'POST', body: '{}' });

    expect(answer.text).toBe('front');
    expect(log.records).toEqual([]);
  });
});
