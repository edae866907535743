import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The supervised-mode fixture runtime. */
export const supervisedFixture = fileURLToPath(
  new URL('../fixtures/supervised-runtime.mjs', import.meta.url),
);

/** A stream that keeps everything written to it, for the emulator's `output`. */
export class CapturedOutput extends PassThrough {
  #text = '';

  constructor() {
    super();
    this.setEncoding('utf8');
    this.on('data', (chunk: string) => {
      this.#text += chunk;
    });
  }

  get text(): string {
    return this.#text;
  }

  /** The lines written so far, without colour codes. */
  get lines(): string[] {
    return this.#text.split('\n');
  }

  /** Resolves once the output contains `needle`. */
  async waitFor(needle: string | RegExp): Promise<void> {
    const found = () => (typeof needle === 'string' ? this.#text.includes(needle) : needle.test(this.#text));
    while (!found()) await new Promise((resolve) => this.once('data', resolve));
  }
}

/** A folder of files that steer the fixture's Init (`init-error`, `init-delay-ms`, `version`...). */
export class FixtureControls {
  readonly dir = mkdtempSync(join(tmpdir(), 'emulator-supervised-'));

  set(name: string, value: string): void {
    writeFileSync(join(this.dir, name), value);
  }

  clear(name: string): void {
    rmSync(join(this.dir, name), { force: true });
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a process is running (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Resolves once `pid` is gone; rejects after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > until) throw new Error(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
