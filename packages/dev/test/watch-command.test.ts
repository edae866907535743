import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { watchedProject } from './support/watched-project.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The function under watch: answers with its version; an event with `gate` waits until that file exists. */
function handlerSource(version: string): string {
  return `import { existsSync } from 'node:fs';
import { defaultRuntime } from '@lambda-runtime/core';

defaultRuntime(() => async (event: { gate?: string }) => {
  while (event.gate !== undefined && !existsSync(event.gate)) await new Promise((resolve) => setTimeout(resolve, 10));
  return { version: ${JSON.stringify(version)}, greeting: process.env.GREETING ?? null };
}).run();
`;
}

/** `lambda-dev watch` as a real process, with what it printed so far. */
class Watch {
  readonly child: ChildProcess;
  output = '';
  readonly #listeners = new Set<() => void>();

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [BIN, 'watch', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: string) => {
      this.output += chunk;
      for (const listener of this.#listeners) listener();
    };
    this.child.stdout?.setEncoding('utf8').on('data', collect);
    this.child.stderr?.setEncoding('utf8').on('data', collect);
  }

  /** Resolves when `text` appears in the output after position `from`. */
  waitFor(text: string, from = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.output.indexOf(text, from) === -1) return;
        this.#listeners.delete(check);
        resolve();
      };
      this.#listeners.add(check);
      this.child.once('exit', (code) =>
        reject(new Error(`exited ${code} before printing '${text}':\n${this.output}`)),
      );
      check();
    });
  }

  exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async stop(): Promise<number | null> {
    const exited = this.exited();
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return exited;
  }
}

describe('lambda-dev watch', () => {
  let root: string;
  let watch: Watch | undefined;
  let port: number;

  beforeEach(async () => {
    root = await watchedProject('lambda-dev-watch-');
    await writeFile(join(root, 'src/index.ts'), handlerSource('v1'));
    port = await freePort();
    watch = undefined;
  });

  afterEach(async () => {
    await watch?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function startWatch(...args: string[]): Promise<Watch> {
    watch = new Watch(['--port', String(port), ...args], root);
    await watch.waitFor('watching ');
    return watch;
  }

  async function invoke(event: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    return { status: response.status, body: await response.json() };
  }

  async function edit(running: Watch, version: string): Promise<void> {
    const mark = running.output.length;
    await writeFile(join(root, 'src/index.ts'), handlerSource(version));
    await running.waitFor('restarted the runtime', mark);
  }

  it('serves the built function and runs the new code on the next invoke after a source changes', async () => {
    const running = await startWatch();
    const before = await invoke({});

    await edit(running, 'v2');
    const after = await invoke({});

    expect(before.body).toEqual({ version: 'v1', greeting: null });
    expect(after.body).toEqual({ version: 'v2', greeting: null });
    expect(running.output).toMatch(/REPORT RequestId: \S+/);
  });

  it('lets an invocation in flight finish on the old code before the runtime restarts', async () => {
    const running = await startWatch();
    const gate = join(root, 'gate');
    const inFlight = invoke({ gate });
    await running.waitFor('START RequestId:');
    const mark = running.output.length;

    await writeFile(join(root, 'src/index.ts'), handlerSource('v2'));
    await running.waitFor('built src/index.ts', mark);
    await writeFile(gate, '');
    const first = await inFlight;
    await running.waitFor('restarted the runtime', mark);
    const next = await invoke({});

    expect(first.body).toEqual({ version: 'v1', greeting: null });
    expect(next.body).toEqual({ version: 'v2', greeting: null });
  });

  it('shows the build error and goes on serving the previous build, then picks up the fix', async () => {
    const running = await startWatch();
    const mark = running.output.length;

    await writeFile(join(root, 'src/index.ts'), 'export const = ;\n');
    await running.waitFor('build failed', mark);
    const during = await invoke({});
    await edit(running, 'v3');
    const fixed = await invoke({});

    expect(running.output.slice(mark)).toMatch(/\[ERROR\] .*\n\n\s+src\/index\.ts:1:13:/);
    expect(during.body).toEqual({ version: 'v1', greeting: null });
    expect(fixed.body).toEqual({ version: 'v3', greeting: null });
  });

  it('fails invokes with the reason until the first good build when the entry does not build at start', async () => {
    await writeFile(join(root, 'src/index.ts'), 'export const = ;\n');
    const running = await startWatch();
    const broken = await invoke({});

    await edit(running, 'v2');
    const fixed = await invoke({});

    expect(running.output).toContain('build failed');
    expect(broken.body).toMatchObject({ errorType: expect.stringMatching(/^Runtime\./) });
    expect(running.output).toContain('no good build of src/index.ts yet: fix the error shown above');
    expect(fixed.body).toEqual({ version: 'v2', greeting: null });
  });

  it('answers plain HTTP as a function URL when given --http', async () => {
    const httpPort = await freePort();
    await startWatch('--http', String(httpPort));

    const response = await fetch(`http://127.0.0.1:${httpPort}/anything`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ version: 'v1', greeting: null });
  });

  it('hands the function the variables given with --env', async () => {
    await startWatch('--env', 'GREETING=hej');

    const answer = await invoke({});

    expect(answer.body).toEqual({ version: 'v1', greeting: 'hej' });
  });

  it('runs a handler name and sets it as _HANDLER when given module.export', async () => {
    await writeFile(
      join(root, 'src/orders.ts'),
      'export const handler = async () => ({ handler: process.env._HANDLER });\n',
    );

    await startWatch('src/orders.handler');
    const answer = await invoke({});

    expect(answer.body).toEqual({ handler: 'src/orders.handler' });
  });

  it('stops the emulator and exits 0 on SIGINT', async () => {
    const running = await startWatch();

    const code = await running.stop();

    expect(code).toBe(0);
    await expect(invoke({})).rejects.toThrow();
  });

  it.each([
    [['--port', 'http'], '--port must be a port number'],
    [['--http', '99999'], '--http must be a port number'],
    [['--memory', 'lots'], '--memory'],
    [['--env', 'NO_EQUALS_SIGN'], '--env'],
    [['src/index.ts', 'src/other.ts'], "unexpected argument 'src/other.ts'"],
  ])('exits 2 with a message when given %j', async (args, message) => {
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [BIN, 'watch', ...args], { cwd: root }, (_, __, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(message);
  });

  it('exits 2 naming the entry to give when there is no src/index.ts', async () => {
    await rm(join(root, 'src/index.ts'));

    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [BIN, 'watch'], { cwd: root }, (_, __, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "no src/index.ts here: name the entry, e.g. 'lambda-dev watch src/main.ts'",
    );
  });
});
