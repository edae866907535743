import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandResult, run } from '../../../test/install/installed-project.js';
import { freePort } from './support/free-port.js';
import { cleanEnv, exec, packWorkspace, useTarballs, WORKSPACE } from './support/workspace-tarballs.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
// Packing the workspace and an npm install from the registry: far beyond the default limits.
const SLOW = 600_000;

/** One step of the tour, in the order the README gives them. */
type Step =
  | { readonly kind: 'command'; readonly line: string; readonly expected: readonly string[] }
  | { readonly kind: 'edit'; readonly file: string; readonly from: string; readonly to: string };

/** The README section's steps: each command of its `sh` blocks with the `# output` lines after it, and the edit it asks for. */
function tourSteps(readme: string): Step[] {
  const start = readme.indexOf('\n## Develop locally\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  const found: { at: number; steps: Step[] }[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const steps: { kind: 'command'; line: string; expected: string[] }[] = [];
    for (const line of (block[1] ?? '').split('\n').filter((text) => text.trim() !== '')) {
      const last = steps.at(-1);
      if (line.startsWith('# ') && last !== undefined) last.expected.push(line.slice(2));
      else steps.push({ kind: 'command', line, expected: [] });
    }
    found.push({ at: block.index, steps });
  }
  for (const edit of section.matchAll(/Change `([^`]+)` to `([^`]+)` in `([^`]+)` and save/g)) {
    found.push({
      at: edit.index,
      steps: [{ kind: 'edit', from: edit[1] ?? '', to: edit[2] ?? '', file: edit[3] ?? '' }],
    });
  }
  return found.sort((a, b) => a.at - b.at).flatMap((part) => part.steps);
}

/** The README's output line as a pattern: `…` stands for a value that differs per run (a request id). */
function outputPattern(expected: string): RegExp {
  const escaped = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('…', '[^"\\\\]+');
  return new RegExp(`^${escaped}$`);
}

function sh(line: string, cwd: string): Promise<CommandResult> {
  return run('sh', ['-c', line], { cwd, env: cleanEnv() });
}

/** A long-running command (the watch) and everything it printed so far. */
class Background {
  readonly child: ChildProcess;
  output = '';
  readonly #waiters: { text: string; from: number; resolve: () => void }[] = [];

  constructor(line: string, cwd: string) {
    // Its own process group, so npx and the node it starts stop together.
    this.child = spawn('sh', ['-c', `exec ${line}`], {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (chunk: string) => {
      this.output += chunk;
      for (const waiter of [...this.#waiters]) {
        if (this.output.indexOf(waiter.text, waiter.from) !== -1) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    };
    this.child.stdout?.setEncoding('utf8').on('data', collect);
    this.child.stderr?.setEncoding('utf8').on('data', collect);
  }

  /** Resolves when `text` is printed after position `from` of the output. */
  waitFor(text: string, from = 0): Promise<void> {
    if (this.output.indexOf(text, from) !== -1) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ text, from, resolve });
      this.child.once('exit', (code) =>
        reject(new Error(`exited ${code} before printing '${text}':\n${this.output}`)),
      );
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(-this.child.pid, 'SIGINT');
    await exited;
  }
}

// The tour of the root README's "Develop locally", run as a user runs it: every command of the
// section as written, in real processes, in a folder outside this workspace, each printed line it
// shows compared with what the command printed. Three things differ, and only these: our packages
// come from their release tarballs (they stand for the registry), `npx --package
// @lambda-runtime/dev lambda-dev` is this checkout's lambda-dev, and the documented ports (3000
// and the default 9000) are free ports picked here, since other processes may hold those.
describe('the Develop locally tour of the README', () => {
  let root: string;
  let tarballs: ReadonlyMap<string, string>;
  let steps: Step[];
  const background: Background[] = [];

  beforeAll(async () => {
    steps = tourSteps(await readFile(join(WORKSPACE, 'README.md'), 'utf8'));
    root = await mkdtemp(join(tmpdir(), 'lambda-dev-tour-'));
    tarballs = await packWorkspace(join(root, 'tarballs'));
  }, SLOW);

  afterAll(async () => {
    await Promise.all(background.map((command) => command.stop()));
    await rm(root, { recursive: true, force: true });
  });

  it('reads new, watch, curl, an edit, curl, invoke and event from the README section', () => {
    const commands = steps.map((step) =>
      step.kind === 'edit' ? 'edit' : step.line.split(' ').slice(0, 3).join(' '),
    );

    expect(commands).toEqual([
      'npx --package @lambda-runtime/dev',
      'npx lambda-dev watch',
      "curl -s 'http://127.0.0.1:3000/?name=Ada'",
      'edit',
      "curl -s 'http://127.0.0.1:3000/?name=Ada'",
      'npx lambda-dev invoke',
      'npx lambda-dev event',
    ]);
  });

  it(
    'prints what the README shows at every step, the edited handler answering after the save',
    async () => {
      const httpPort = await freePort();
      const emulatorPort = await freePort();
      const ports = (line: string) =>
        line
          .replaceAll('--http 3000', `--http ${httpPort} --port ${emulatorPort}`)
          .replaceAll('127.0.0.1:3000', `127.0.0.1:${httpPort}`)
          .replaceAll('lambda-dev invoke', `lambda-dev invoke --url http://127.0.0.1:${emulatorPort}`);
      let cwd = root;
      let watch: Background | undefined;

      for (const step of steps) {
        if (step.kind === 'edit') {
          const file = join(cwd, step.file);
          const source = await readFile(file, 'utf8');
          expect(source, `${step.file} holds '${step.from}'`).toContain(step.from);
          const mark = watch?.output.length ?? 0;
          await writeFile(file, source.replace(step.from, step.to));
          await watch?.waitFor('restarted the runtime', mark);
          continue;
        }
        for (const part of step.line.split(' && ')) {
          const line = ports(part);
          if (line.startsWith('npx --package @lambda-runtime/dev lambda-dev ')) {
            const args = line.slice('npx --package @lambda-runtime/dev lambda-dev '.length).split(' ');
            await exec(process.execPath, [BIN, ...args], cwd);
          } else if (line.startsWith('cd ')) {
            cwd = join(cwd, line.slice(3));
          } else if (line === 'npm install') {
            await useTarballs(cwd, tarballs);
            await exec('npm', ['install', '--no-audit', '--no-fund'], cwd);
          } else if (line.startsWith('npx lambda-dev watch')) {
            watch = new Background(line, cwd);
            background.push(watch);
            await watch.waitFor('watching ');
          } else {
            const result = await sh(line, cwd);
            expect(result.code, `${line}\n${result.stderr}`).toBe(0);
            const printed = result.stdout.trimEnd().split('\n');
            expect(printed, line).toHaveLength(step.expected.length);
            for (const [index, expected] of step.expected.entries()) {
              expect(printed[index], line).toMatch(outputPattern(expected));
            }
          }
        }
      }

      expect(watch?.output).toMatch(/REPORT RequestId: \S+\s+Duration: [\d.]+ ms/);
    },
    SLOW,
  );
});
