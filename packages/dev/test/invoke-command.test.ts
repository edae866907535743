import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatPayload } from '../src/commands/invoke.js';
import { clientContextHeader } from '../src/invoke-function.js';
import { sampleEvent } from '../src/sample-events.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const ECHO_RUNTIME = fileURLToPath(new URL('./fixtures/runtime/echo.mjs', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `lambda-dev <args>` as a real process; stdin gets `input` (or nothing, closed, as from a pipe). */
function lambdaDev(args: readonly string[], input = '', cwd = process.cwd()): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (child.exitCode ?? 1), stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** A server answering every request with one canned Invoke API answer. */
async function fakeInvokeApi(status: number, body: string, headers: Record<string, string>): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status, headers).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('lambda-dev invoke', () => {
  let emulator: RuntimeApiEmulator;
  let url: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lambda-dev-invoke-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    emulator.spawn({ command: process.execPath, args: [ECHO_RUNTIME] });
    url = emulator.origin;
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('prints the result as the function returned it and exits 0 when given --data', async () => {
    const run = await lambdaDev(['invoke', '--url', url, '--data', '{"orderId":"1001"}']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ event: { orderId: '1001' }, clientContext: null });
    expect(run.stdout).not.toContain('\n');
  });

  it('reads the event from stdin when given no data option', async () => {
    const run = await lambdaDev(['invoke', '--url', url], '{"from":"stdin"}');

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: { from: 'stdin' } });
  });

  it('reads the event from a file when given --data-file', async () => {
    const file = join(scratch, 'event.json');
    await writeFile(file, '{"from":"file"}\n');

    const run = await lambdaDev(['invoke', '--url', url, '--data-file', file]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: { from: 'file' } });
  });

  it('sends a sample event when given --event', async () => {
    const run = await lambdaDev(['invoke', '--url', url, '--event', 'sqs']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: sampleEvent('sqs') });
  });

  it.each([
    ['a JSON object', '{"custom":{"tenant":"acme"}}'],
    ['its base64', Buffer.from('{"custom":{"tenant":"acme"}}').toString('base64')],
  ])('hands the function the client context when given %s', async (_, clientContext) => {
    const run = await lambdaDev(['invoke', '--url', url, '-d', '{}', '--client-context', clientContext]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ clientContext: { custom: { tenant: 'acme' } } });
  });

  it('prints the error document and exits 1 when the function fails (X-Amz-Function-Error)', async () => {
    const run = await lambdaDev(['invoke', '--url', url, '-d', '{"fail":"no such order"}']);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'no such order' });
    expect(run.stderr).toContain('the function failed (X-Amz-Function-Error: Unhandled)');
  });

  it('exits 1 naming the function the emulator serves when given another --function-name', async () => {
    const run = await lambdaDev(['invoke', '--url', url, '-d', '{}', '--function-name', 'orders']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the invoke failed with 404');
    expect(run.stderr).toContain("is 'orders' the function this emulator serves? it serves 'function'");
  });

  it('exits 1 with the error type and message when the Invoke API answers 429 TooManyRequestsException', async () => {
    const server = await fakeInvokeApi(429, '{"Type":"User","message":"Rate Exceeded."}', {
      'content-type': 'application/json',
      'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.lambda/',
    });
    try {
      const run = await lambdaDev(['invoke', '--url', urlOf(server), '-d', '{}']);

      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('the invoke failed with 429 TooManyRequestsException: Rate Exceeded.');
    } finally {
      server.close();
    }
  });

  it('exits 1 with the emulator’s errorType and errorMessage when it answers 4xx', async () => {
    const server = await fakeInvokeApi(
      413,
      '{"errorType":"RequestEntityTooLarge","errorMessage":"too big"}',
      {
        'content-type': 'application/json',
      },
    );
    try {
      const run = await lambdaDev(['invoke', '--url', urlOf(server), '-d', '{}']);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('413 RequestEntityTooLarge: too big');
    } finally {
      server.close();
    }
  });

  it('says that no emulator is listening, and how to start one, when the connection is refused', async () => {
    const server = await fakeInvokeApi(200, '{}', {});
    const closed = urlOf(server);
    await new Promise((resolve) => server.close(resolve));

    const run = await lambdaDev(['invoke', '--url', closed, '-d', '{}']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no emulator is listening at ${closed} (connection refused)`);
    expect(run.stderr).toContain("'lambda-dev watch'");
  });

  it.each([
    ['two data sources', ['-d', '{}', '--event', 'sqs'], 'give the event one way: --data and --event'],
    ['invalid JSON', ['-d', '{"a":'], 'the event from --data is not valid JSON'],
    [
      'a missing file',
      ['--data-file', '/nonexistent/event.json'],
      'cannot read --data-file /nonexistent/event.json',
    ],
    [
      'a client context that is not JSON',
      ['-d', '{}', '--client-context', 'tenant=acme'],
      '--client-context must be a JSON object',
    ],
    ['an unknown sample event', ['--event', 'kafka'], "unknown event kind 'kafka'"],
    ['a URL that is not http', ['--url', 'ftp://x', '-d', '{}'], '--url must be an http:// URL'],
    ['an unknown option', ['--payload', '{}'], "Unknown option '--payload'"],
  ])('exits 2 with a clear message for %s', async (_, args, message) => {
    const run = await lambdaDev(['invoke', '--url', url, ...args]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('formatPayload', () => {
  it('indents JSON and ends it with a newline when printing to a terminal', () => {
    const shown = formatPayload(Buffer.from('{"a":[1,2]}'), true);

    expect(shown).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });

  it('keeps the bytes as they came when printing to a pipe', () => {
    const payload = Buffer.from('{"a": 1.50}');

    expect(formatPayload(payload, false)).toBe(payload);
  });

  it('prints text that is not JSON as it is, on a terminal too', () => {
    expect(formatPayload(Buffer.from('plain'), true)).toBe('plain\n');
  });
});

describe('clientContextHeader', () => {
  it('refuses a client context above the Invoke API’s 3,583 bytes', () => {
    const big = JSON.stringify({ custom: { blob: 'x'.repeat(3000) } });

    expect(() => clientContextHeader(big)).toThrow(/at most 3583/);
  });
});
