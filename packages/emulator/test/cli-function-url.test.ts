import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/runtime.mjs', import.meta.url));

describe('lambda-runtime-emulator --http', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('answers plain HTTP requests as a function URL when started with --http', async () => {
    child = spawn(process.execPath, [cli, '--port', '0', '--http', '0', '--', process.execPath, fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const functionUrl = await printedFunctionUrl(child);

    // The fixture echoes its event back: an object without statusCode, so a 200 JSON answer.
    const response = await fetch(`${functionUrl}/hello?name=ada`, { headers: { 'x-demo': '1' } });
    const answer = (await response.json()) as { event: Record<string, unknown> };

    expect(response.status).toBe(200);
    expect(answer.event).toMatchObject({
      version: '2.0',
      rawPath: '/hello',
      queryStringParameters: { name: 'ada' },
      headers: { 'x-demo': '1' },
    });
  });

  it('exits with code 2 when --http is not a port', async () => {
    child = spawn(process.execPath, [cli, '--http', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });

    const code = await new Promise<number | null>((resolve) => child?.on('close', resolve));

    expect(code).toBe(2);
    expect(stderr).toContain('--http: must be a whole number from 0 to 65535, got "eighty"');
  });
});

function printedFunctionUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no function URL printed: ${output}`)), 10_000);
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      const match = /function URL: curl '(http:\/\/[^']+?)\/'/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', () => reject(new Error(`the CLI exited: ${output}`)));
  });
}
