import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transport, TransportRequest, TransportResponse } from '@lambda-runtime/api';
import * as api from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultRuntimeLoop, RuntimeApiClient } from '../src/index.js';
import { memoryLogger } from './support.js';

const NEXT = '/2018-06-01/runtime/invocation/next';

/** A second installed copy of `@lambda-runtime/api`, as a transport built against it would import it. */
let secondCopy: typeof api;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'duplicate-api-'));
  const packageDirectory = join(directory, 'node_modules', '@lambda-runtime', 'api');
  cpSync(new URL('../../api/dist', import.meta.url), join(packageDirectory, 'dist'), { recursive: true });
  cpSync(new URL('../../api/package.json', import.meta.url), join(packageDirectory, 'package.json'));
  writeFileSync(join(directory, 'package.json'), '{"type":"module"}');
  secondCopy = (await import(pathToFileURL(join(packageDirectory, 'dist', 'index.js')).href)) as typeof api;
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** A transport that plays its script, one step per request, then parks until closed. */
class ScriptedTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  /** Resolves once the script is played out and a request parked. */
  readonly parked: Promise<void>;
  #onParked: () => void = () => undefined;
  #parked: ((error: unknown) => void) | undefined;

  constructor(private readonly script: Array<(request: TransportRequest) => TransportResponse>) {
    this.parked = new Promise((resolve) => {
      this.#onParked = resolve;
    });
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    const step = this.script.shift();
    if (step !== undefined) return step(request);
    this.#onParked();
    return new Promise((_resolve, reject) => {
      this.#parked = reject;
    });
  }

  async close(): Promise<void> {
    this.#parked?.(new Error('closed'));
  }
}

function invocationResponse(requestId: string): TransportResponse {
  return {
    status: 200,
    headers: {
      'lambda-runtime-aws-request-id': requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + 60_000),
    },
    body: new TextEncoder().encode('{"n":1}'),
  };
}

const accepted = (): TransportResponse => ({ status: 202, headers: {}, body: new Uint8Array() });

describe('error classes across two installed copies of @lambda-runtime/api', () => {
  it('recognises errors of the second copy as the same classes, and no others', () => {
    const resetError = new secondCopy.TransportError('GET /next failed', { code: 'ECONNRESET' });

    expect(secondCopy.TransportError).not.toBe(api.TransportError);
    expect(resetError).toBeInstanceOf(api.TransportError);
    expect(resetError).toBeInstanceOf(api.LambdaRuntimeError);
    expect(resetError).not.toBeInstanceOf(api.RuntimeApiError);
    expect(new secondCopy.EnvironmentError(['x'])).toBeInstanceOf(api.EnvironmentError);
    expect(new api.ProtocolError('x')).toBeInstanceOf(secondCopy.ProtocolError);
    expect(new Error('plain')).not.toBeInstanceOf(api.LambdaRuntimeError);
  });

  it('keeps the /next retry policy when the transport throws the second copy’s TransportError', async () => {
    const transport = new ScriptedTransport([
      () => {
        throw new secondCopy.TransportError('GET /next failed: reset', { code: 'ECONNRESET' });
      },
      () => invocationResponse('id-after-retry'),
      accepted,
    ]);
    const { logger, lines } = memoryLogger();
    const env = {
      maxConcurrency: 1,
      redact: (text: string) => text,
      functionName: 'f',
      functionVersion: '$LATEST',
      memoryLimitInMB: 128,
      logGroupName: 'g',
      logStreamName: 's',
    } as unknown as api.LambdaEnvironment;
    const loop = new DefaultRuntimeLoop(
      transport,
      new DefaultContextBuilder(env),
      new DefaultPayloadCodec(),
      logger,
      env,
    );

    const running = loop.run(async () => ({ answered: true }));
    await transport.parked;
    loop.stop();
    await transport.close();
    await running;

    expect(transport.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${NEXT}`,
      `GET ${NEXT}`,
      'POST /2018-06-01/runtime/invocation/id-after-retry/response',
      `GET ${NEXT}`,
    ]);
    expect(lines().some((line) => String(line.message).includes('retrying in'))).toBe(true);
  });

  it('items 13, 17: answers on /error when the second copy’s TransportError says the /next answer had begun', async () => {
    const transport = new ScriptedTransport([
      () => {
        throw new secondCopy.TransportError('GET /next failed: body cut short', {
          code: 'ECONNRESET',
          response: {
            status: 200,
            headComplete: true,
            headers: { 'lambda-runtime-aws-request-id': 'id-cut' },
          },
        });
      },
      accepted,
      () => invocationResponse('id-after'),
    ]);
    const client = new RuntimeApiClient(transport);

    const next = await client.next();

    expect(next.requestId).toBe('id-after');
    expect(transport.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${NEXT}`,
      'POST /2018-06-01/runtime/invocation/id-cut/error',
      `GET ${NEXT}`,
    ]);
  });
});
