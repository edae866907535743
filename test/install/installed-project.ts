import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));

/** What a finished command printed and how it ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Thrown when a command of the installation steps fails: its output is the diagnosis. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  constructor(
    command: string,
    readonly result: CommandResult,
  ) {
    super(`${command} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

/**
 * The environment a user's shell would have: ours without the variables `pnpm run` and vitest add
 * (npm_config_*, npm_package_*, pnpm's own), so npm in the project sees no workspace settings.
 */
export function userEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|VITEST|NODE_OPTIONS$|INIT_CWD$)/i.test(name)) continue;
    environment[name] = value;
  }
  return { ...environment, ...extra };
}

/** Runs a command to its end; resolves with its output whatever the exit code. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? userEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed; throws {@link CommandFailedError} with its output otherwise. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CommandResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandFailedError(`${command} ${args.join(' ')}`, result);
  return result;
}

/** The version the workspace's pnpm catalog pins for `name` (pnpm-workspace.yaml). */
export function catalogVersion(name: string): string {
  const yaml = readFileSync(join(WORKSPACE, 'pnpm-workspace.yaml'), 'utf8');
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s+"?${escaped}"?:\\s*(\\S+)\\s*$`, 'm').exec(yaml);
  if (match?.[1] === undefined) throw new Error(`${name} has no version in the pnpm catalog`);
  return match[1];
}

/** Copies the fixture function project (test/install/fixture) to `directory`. */
export async function copyFixture(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  await cp(join(WORKSPACE, 'test/install/fixture'), directory, { recursive: true });
}

/** A running `lambda-runtime-emulator` CLI and the origin it printed. */
export class EmulatorProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #output = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#output += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#output += chunk;
    });
    this.#exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  /**
   * Starts the installed emulator CLI (`node_modules/.bin/lambda-runtime-emulator`) in `project`
   * on a free port with `args` after `--`, and waits until it prints its origin.
   */
  static async start(project: string, bootstrapArgs: readonly string[]): Promise<EmulatorProcess> {
    const child = spawn(
      join(project, 'node_modules/.bin/lambda-runtime-emulator'),
      ['--port', '0', '--', ...bootstrapArgs],
      // Its own process group, so stop() also ends the runtime it spawned.
      { cwd: project, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const emulator = new EmulatorProcess(child);
    await emulator.#waitForOrigin();
    return emulator;
  }

  /** Everything the emulator and the runtime it runs printed so far. */
  get output(): string {
    return this.#output;
  }

  /** The emulator's origin, e.g. http://127.0.0.1:39215. */
  get origin(): string {
    const match = /listening on (http:\/\/\S+)/.exec(this.#output);
    if (match?.[1] === undefined) throw new Error(`The emulator printed no origin:\n${this.#output}`);
    return match[1];
  }

  /** POSTs `event` to the invoke endpoint and returns the status and the parsed answer. */
  async invoke(event: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.origin}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new Error(`Not JSON (${response.status}): ${text}\n--- emulator output\n${this.#output}`);
    }
  }

  /** Ends the emulator and the runtime it started (SIGTERM to the process group). */
  async stop(): Promise<void> {
    const pid = this.#child.pid;
    if (pid !== undefined && this.#child.exitCode === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // The group is already gone.
      }
    }
    await this.#exited;
  }

  async #waitForOrigin(): Promise<void> {
    let listening = false;
    const printed = new Promise<void>((resolve) => {
      const check = (): void => {
        if (/listening on http/.test(this.#output)) {
          listening = true;
          resolve();
        }
      };
      this.#child.stdout?.on('data', check);
      check();
    });
    const exited = this.#exited.then((code) => {
      if (!listening) throw new Error(`The emulator exited ${code} before listening:\n${this.#output}`);
    });
    await Promise.race([printed, exited]);
  }
}
