import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawServer, response } from './raw-server.js';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
/** A child that has not exited by then is hung: the test fails instead of waiting forever. */
const CHILD_LIMIT_MS = 10_000;

interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
}

/** Runs an ES module script in a fresh Node process; kills it after {@link CHILD_LIMIT_MS}. */
function runChild(script: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, CHILD_LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

describe('SocketTransport in a process', () => {
  let directory: string;
  let bundle: string;
  let metafile: Metafile;
  let server: RawServer | undefined;

  beforeAll(async () => {
    // The child runs the current source, bundled, rather than a dist that may be stale.
    directory = await mkdtemp(join(tmpdir(), 'transport-socket-'));
    bundle = join(directory, 'transport.mjs');
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    metafile = result.metafile;
    await writeFile(bundle, result.outputFiles[0]?.contents ?? '');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function startServer(): Promise<RawServer> {
    // Answers /slow after a pause, everything else at once; never closes idle connections.
    server = new RawServer((request, socket, s) => {
      if (request.path === '/slow') s.later(300, () => socket.write(response('slow')));
      else socket.write(response(`answer ${request.path}`));
    });
    await server.listen();
    return server;
  }

  it('exits by itself when it made one request and still holds the open transport', async () => {
    const server = await startServer();
    const script = `
      import { SocketTransport } from ${JSON.stringify(bundle)};
      const transport = new SocketTransport({ origin: process.env.ORIGIN });
      globalThis.held = transport;
      let beforeExit = 0;
      process.on('beforeExit', () => { beforeExit += 1; if (beforeExit === 1) console.log('beforeExit'); });
      const answer = await transport.request({ method: 'GET', path: '/once' });
      console.log(answer.status, Buffer.from(answer.body).toString());
    `;

    const result = await runChild(script, { ORIGIN: server.origin });

    expect(result.killed, 'the child hung and was killed').toBe(false);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('200 answer /once\nbeforeExit\n');
    expect(result.code).toBe(0);
    expect(server.connectionCount).toBe(1);
  });

  it('keeps the process alive while a request on the reused connection is in flight', async () => {
    const server = await startServer();
    // Nothing but the second request's socket can keep this process alive until the slow answer.
    const script = `
      import { SocketTransport } from ${JSON.stringify(bundle)};
      const transport = new SocketTransport({ origin: process.env.ORIGIN });
      await transport.request({ method: 'GET', path: '/first' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await transport.request({ method: 'GET', path: '/slow' });
      console.log(Buffer.from(answer.body).toString());
    `;

    const result = await runChild(script, { ORIGIN: server.origin });

    expect(result.stdout).toBe('slow\n');
    expect(result.code).toBe(0);
    expect(server.connectionCount).toBe(1);
  });

  it('imports only node:net and never loads node:http when it is imported and used', async () => {
    const server = await startServer();
    const script = `
      import { SocketTransport } from ${JSON.stringify(bundle)};
      const transport = new SocketTransport({ origin: process.env.ORIGIN });
      await transport.request({ method: 'POST', path: '/x', body: '{}' });
      await transport.close();
      // Node itself loads its URL modules at start-up (internal/data_url too, since Node 22).
      console.log(JSON.stringify(process.moduleLoadList.filter((m) => /http|undici|url/i.test(m) && !/internal\\/(data_)?url|NativeModule url|Binding url/.test(m))));
    `;

    const result = await runChild(script, { ORIGIN: server.origin });
    const external = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((i) => i.external).map((i) => i.path),
    );

    expect(result.stdout).toBe('[]\n');
    expect([...new Set(external)]).toEqual(['node:net']);
  });
});
