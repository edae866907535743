import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));

interface CliProcess {
  readonly child: ChildProcess;
  readonly origin: Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const origin = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`CLI did not report its address: ${stdout}${stderr}`)),
      10_000,
    );
    child.stdout.on('data', (text: string) => {
      stdout += text;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`CLI exited early: ${stdout}${stderr}`));
    });
  });
  origin.catch(() => {});
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, origin, exit, output: () => stdout + stderr };
}

describe('lambda-runtime-emulator CLI', () => {
  const started: CliProcess[] = [];

  beforeAll(() => {
    // The CLI is tested as shipped: the compiled dist/cli.js (build first: `tsc -b`).
    expect(existsSync(cli), `${cli} is missing; run tsc -b packages/emulator`).toBe(true);
  });

  afterEach(async () => {
    for (const cliProcess of started.splice(0)) {
      if (cliProcess.child.exitCode === null && cliProcess.child.signalCode === null)
        cliProcess.child.kill('SIGKILL');
      await cliProcess.exit;
    }
  });

  function run(args: string[]): CliProcess {
    const cliProcess = startCli(args);
    started.push(cliProcess);
    return cliProcess;
  }

  it('serves the front door for a spawned bootstrap and stops on SIGTERM when started with --port 0', async () => {
    const cliProcess = run(['--port', '0', '--function-name', 'cli-fn', '--', process.execPath, fixture]);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{"from":"curl"}',
    });
    const body = (await response.json()) as { event: unknown; headers: Record<string, string> };
    cliProcess.child.kill('SIGTERM');
    const exit = await cliProcess.exit;

    expect(response.status).toBe(200);
    expect(body.event).toEqual({ from: 'curl' });
    expect(body.headers['lambda-runtime-invoked-function-arn']).toBe(
      'arn:aws:lambda:us-east-1:012345678912:function:cli-fn',
    );
    expect(cliProcess.output()).toContain(
      `curl -X POST '${origin}/2015-03-31/functions/function/invocations'`,
    );
    expect(cliProcess.output()).toContain('fixture runtime ready');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('exits with the runtime exit code when the runtime exits', async () => {
    const cliProcess = run(['--port', '0', '--', process.execPath, '-e', 'process.exit(5)']);

    const exit = await cliProcess.exit;

    expect(exit.code).toBe(5);
    expect(cliProcess.output()).toContain('runtime exited (code 5)');
  });

  it('gives the runtime a Managed Instances environment when started with --max-concurrency', async () => {
    const cliProcess = run(['--port', '0', '--max-concurrency', '2', '--', process.execPath, fixture]);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{"action":"env"}',
    });
    const { env } = (await response.json()) as { env: Record<string, string> };

    expect(env.AWS_LAMBDA_MAX_CONCURRENCY).toBe('2');
    expect(env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('lambda-managed-instances');
  });

  it('answers 429 TooManyRequestsException when nothing may queue with --max-queued 0', async () => {
    const cliProcess = run(['--port', '0', '--max-queued', '0']);
    const origin = await cliProcess.origin;

    const response = await fetch(`${origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{}',
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await response.json()).toMatchObject({ Type: 'User', message: 'Rate Exceeded.' });
  });

  it('exits 2 with a clear message when --max-concurrency is not a positive integer', async () => {
    const cliProcess = run(['--max-concurrency', '0']);

    const exit = await cliProcess.exit;

    expect(exit.code).toBe(2);
    expect(cliProcess.output()).toContain('--max-concurrency must be an integer from 1 to 10000');
  });

  it('prints usage and exits 2 when an option is unknown', async () => {
    const cliProcess = run(['--bogus']);

    const exit = await cliProcess.exit;

    expect(exit.code).toBe(2);
    expect(cliProcess.output()).toContain('Usage: lambda-runtime-emulator');
  });
});
