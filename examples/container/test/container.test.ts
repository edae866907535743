import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envPairs, execForm, type Instruction, readDockerfile } from './dockerfile.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../', import.meta.url));
const WORKSPACE = join(EXAMPLE, '../../');
// Packing the workspace and npm ci from the registry: far beyond the default per-test limit.
const SLOW = 600_000;

/** Children without the parent pnpm/vitest markers, so npm behaves as in a plain shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const inherited = /^(npm_|pnpm_|vitest|force_color$|node_env$|test$)/i;
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !inherited.test(key))),
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
  };
}

/**
 * The package.json the image gets, with our packages pointing at their release tarballs (they stand
 * for the registry, where this checkout's packages are not published) and the rest unchanged.
 */
async function manifestForTarballs(tarballs: Record<string, string>): Promise<string> {
  const manifest = JSON.parse(await readFile(join(EXAMPLE, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | string
  >;
  const specs = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  for (const field of ['dependencies', 'devDependencies']) {
    const dependencies = manifest[field] as Record<string, string>;
    for (const name of Object.keys(dependencies)) {
      dependencies[name] = specs[name] ?? dependencies[name]?.replace('catalog:', '*') ?? '*';
    }
  }
  // npm accepts an override of a direct dependency only when both specs are the same.
  manifest.overrides = specs;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// The image without docker: the Dockerfile's steps replayed in a folder standing for WORKDIR.
describe('examples/container Dockerfile', () => {
  let root: string;
  let workdir: string;
  let instructions: Instruction[];
  let emulator: RuntimeApiEmulator;
  let imageWorkdir: string;
  let ranSteps: string[];

  beforeAll(async () => {
    instructions = await readDockerfile(join(EXAMPLE, 'Dockerfile'));
    imageWorkdir = instructions.find((instruction) => instruction.keyword === 'WORKDIR')?.args ?? '/';
    root = await mkdtemp(join(tmpdir(), 'lambda-runtime-container-'));
    workdir = join(root, 'var-task');
    await mkdir(workdir);
    // The inherited environment: pack-all runs the pnpm that runs us (npm_execpath) when there is one.
    const { stdout } = await run(process.execPath, ['scripts/pack-all.mjs', join(root, 'tarballs')], {
      cwd: WORKSPACE,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarballs = JSON.parse(stdout) as Record<string, string>;
    // The build context: the example's build output, its package.json pointing at the tarballs and
    // the package-lock.json a project commits (made here, once, against the tarballs).
    const context = join(root, 'context');
    await mkdir(context);
    await cp(join(EXAMPLE, 'dist'), join(context, 'dist'), { recursive: true });
    await writeFile(join(context, 'package.json'), await manifestForTarballs(tarballs));
    await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
      cwd: context,
      env: cleanEnv(),
    });
    ranSteps = [];
    for (const { keyword, args } of instructions) {
      if (keyword === 'COPY') {
        // COPY <src>... <dest>: a folder's contents or a file, into dest (relative to WORKDIR).
        const words = args.split(/\s+/);
        const destination = join(workdir, words.at(-1) ?? '.');
        for (const source of words.slice(0, -1)) {
          const from = join(context, source);
          const isFolder = (await stat(from)).isDirectory();
          await cp(from, isFolder ? destination : join(destination, basename(source)), { recursive: true });
        }
      } else if (keyword === 'RUN') {
        await run('sh', ['-c', args], { cwd: workdir, env: cleanEnv() });
        ranSteps.push(args);
      }
    }
  }, SLOW);

  afterAll(async () => {
    await emulator?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('builds on a plain Node.js slim base image, not an AWS Lambda base image', () => {
    const from = instructions.filter((instruction) => instruction.keyword === 'FROM');

    expect(from.map((instruction) => instruction.args)).toEqual([
      expect.stringMatching(/^(public\.ecr\.aws\/docker\/library\/)?node:\d+-slim$/),
    ]);
  });

  it('installs only the production dependencies with npm ci', async () => {
    const installed = (name: string) =>
      access(join(workdir, 'node_modules', name, 'package.json')).then(
        () => true,
        () => false,
      );

    expect(ranSteps[0]).toMatch(/^npm ci --omit=dev /);
    expect(await installed('@lambda-runtime/cli')).toBe(true);
    expect(await installed('@lambda-runtime/core')).toBe(true);
    expect(await installed('@lambda-runtime/emulator')).toBe(false);
    expect(await installed('@types/aws-lambda')).toBe(false);
  });

  it("prepares the runtime's code cache with the image's node after installing", () => {
    const cache = join(
      workdir,
      'node_modules/@lambda-runtime/cli/dist',
      `runtime.bundle.${process.version}-${process.arch}.cache`,
    );

    expect(ranSteps).toEqual([
      expect.stringMatching(/^npm ci --omit=dev /),
      'node node_modules/@lambda-runtime/cli/dist/bin.cjs --prepare-cache',
    ]);
    expect(existsSync(cache)).toBe(true);
  });

  it('answers under the emulator with the ENTRYPOINT and CMD run by node', async () => {
    const [command, ...entrypoint] = execForm(instructions.findLast((i) => i.keyword === 'ENTRYPOINT'));
    const cmd = execForm(instructions.findLast((i) => i.keyword === 'CMD'));
    const env = Object.assign({}, ...instructions.filter((i) => i.keyword === 'ENV').map(envPairs)) as Record<
      string,
      string
    >;
    const inWorkdir = (value: string) => value.replace(imageWorkdir, workdir);
    emulator = await RuntimeApiEmulator.start({ functionName: 'container' });
    const runtime = emulator.spawn({
      command: command === 'node' ? process.execPath : (command ?? ''),
      args: [...entrypoint, ...cmd].map(inWorkdir),
      cwd: workdir,
      env: Object.fromEntries(Object.entries(env).map(([key, value]) => [key, inWorkdir(value)])),
    });

    const result = await emulator.invoke({ rawPath: '/orders/42' });

    expect(command).toBe('node');
    expect(cmd).toEqual(['index.handler']);
    expect(result.status).toBe('success');
    const answer = result.json() as APIGatewayProxyStructuredResultV2;
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body ?? '')).toEqual({
      path: '/orders/42',
      requestId: result.requestId,
      node: process.version,
    });
    expect(runtime.exit).toBeUndefined();
  });
});
