import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogVersion, copyFixture, EmulatorProcess, run, runOk, WORKSPACE } from './installed-project.js';

// One project outside the workspace for the whole file: every public package packed as for a
// release (scripts/pack-all.mjs), installed with plain npm from the tarballs, third-party
// dependencies from the registry, into a per-run npm cache so nothing else interferes.
let temp: string;
let project: string;
let tarballs: Record<string, string>;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'lambda-runtime-install-'));
  project = join(temp, 'project');
  const packed = await runOk(
    process.execPath,
    [join(WORKSPACE, 'scripts/pack-all.mjs'), join(temp, 'tarballs')],
    {
      cwd: WORKSPACE,
      // pack-all runs pnpm: keep pnpm's own variables for it.
      env: process.env,
    },
  );
  tarballs = JSON.parse(packed.stdout) as Record<string, string>;
  await copyFixture(project);
  await runOk(
    'npm',
    [
      'install',
      '--cache',
      join(temp, 'npm-cache'),
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      '--loglevel=warn',
      ...Object.values(tarballs),
      `typescript@${catalogVersion('typescript')}`,
      `@types/node@${catalogVersion('@types/node')}`,
    ],
    { cwd: project },
  );
});

afterAll(async () => {
  if (temp !== undefined) await rm(temp, { recursive: true, force: true });
});

function installedDirectory(name: string): string {
  return join(project, 'node_modules', name);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every copy of `name` installed anywhere under the project's node_modules. */
function copiesOf(name: string): string[] {
  const found: string[] = [];
  const visit = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    if (existsSync(join(nodeModules, name, 'package.json'))) found.push(join(nodeModules, name));
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const packages = entry.name.startsWith('@')
        ? readdirSync(join(nodeModules, entry.name)).map((scoped) => join(nodeModules, entry.name, scoped))
        : [join(nodeModules, entry.name)];
      for (const dir of packages) visit(join(dir, 'node_modules'));
    }
  };
  visit(join(project, 'node_modules'));
  return found;
}

describe('installed packages (npm install of the packed tarballs)', () => {
  it('installs every public package with its built dist, real dependency versions and publishing fields', () => {
    const names = Object.keys(tarballs);

    const problems = names.flatMap((name) => {
      const directory = installedDirectory(name);
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
      const found: string[] = [];
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dependency, range] of Object.entries<string>(manifest[field] ?? {})) {
          if (/^(workspace|catalog):/.test(range)) found.push(`${name}: ${field}.${dependency} is ${range}`);
        }
      }
      if (manifest.publishConfig?.access !== 'public')
        found.push(`${name}: publishConfig.access is not public`);
      if (typeof manifest.repository?.url !== 'string') found.push(`${name}: no repository`);
      if (typeof manifest.license !== 'string') found.push(`${name}: no license`);
      if (typeof manifest.engines?.node !== 'string') found.push(`${name}: no engines.node`);
      if (!existsSync(join(directory, 'dist/index.js'))) found.push(`${name}: no dist/index.js`);
      if (!existsSync(join(directory, 'dist/index.d.ts'))) found.push(`${name}: no dist/index.d.ts`);
      for (const file of filesUnder(directory)) {
        const path = relative(directory, file);
        if (path.endsWith('.tsbuildinfo')) found.push(`${name}: ships ${path}`);
        // A V8 code cache fits only the Node.js build that made it: never in a tarball.
        if (path.endsWith('.cache')) found.push(`${name}: ships ${path}`);
        if (!path.endsWith('.map')) continue;
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[] };
        for (const source of map.sources) {
          const target = resolve(dirname(file), source);
          if (!existsSync(target))
            found.push(`${name}: ${path} points to missing ${relative(directory, target)}`);
        }
      }
      return found;
    });

    expect(names).toContain('@lambda-runtime/core');
    expect(names).toContain('@lambda-runtime/cli');
    expect(problems).toEqual([]);
  });

  it('installs a single copy of @lambda-runtime/api when every package is installed', () => {
    const copies = copiesOf('@lambda-runtime/api');

    expect(copies.map((copy) => relative(project, copy))).toEqual(['node_modules/@lambda-runtime/api']);
  });

  it('answers an invocation of an unchanged CommonJS index.handler run by the installed lambda-runtime under the installed emulator', async () => {
    const emulator = await EmulatorProcess.start(project, ['./bootstrap', 'index.handler']);

    let answer: { status: number; body: unknown };
    try {
      answer = await emulator.invoke({ orderId: 'o-1' });
    } finally {
      await emulator.stop();
    }

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      echo: { orderId: 'o-1' },
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      remainingPositive: true,
      // The runtime ran on the Node.js this test runs on (CI runs the file under 20, 22 and 24).
      node: process.version,
    });
  });

  it('runs the installed lambda-runtime from its shipped bundle and the code cache --prepare-cache made, with no cache line in its output', async () => {
    const cli = installedDirectory('@lambda-runtime/cli');
    const prepared = await runOk(process.execPath, [join(cli, 'dist/bin.cjs'), '--prepare-cache'], {
      cwd: project,
    });
    const emulator = await EmulatorProcess.start(project, ['./bootstrap', 'index.handler']);

    let answer: { status: number; body: unknown };
    try {
      answer = await emulator.invoke({ orderId: 'o-2' });
    } finally {
      await emulator.stop();
    }

    expect(existsSync(join(cli, 'dist/runtime.bundle.cjs'))).toBe(true);
    expect(prepared.stdout).toContain(
      join(cli, `dist/runtime.bundle.${process.version}-${process.arch}.cache`),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ echo: { orderId: 'o-2' }, node: process.version });
    expect(emulator.output).not.toContain('code cache');
  });

  it('shows in the README the function this test type-checks and builds', () => {
    const readme = readFileSync(join(WORKSPACE, 'README.md'), 'utf8');
    const source = readFileSync(join(project, 'src/index.ts'), 'utf8');

    expect(readme).toContain(`Write the function, \`src/index.ts\`:\n\n\`\`\`ts\n${source}\`\`\`\n`);
  });

  it('shows in the README the bootstrap this test runs the unchanged handler with', () => {
    const readme = readFileSync(join(WORKSPACE, 'README.md'), 'utf8');
    const bootstrap = readFileSync(join(project, 'bootstrap'), 'utf8');

    expect(readme).toContain(`\`\`\`sh\n${bootstrap}\`\`\`\n`);
  });

  it('type-checks a strict TypeScript function using defaultRuntime against the installed types', async () => {
    const result = await run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: project,
    });

    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('rejects a TypeScript function whose result does not match the declared type', async () => {
    const source = readFileSync(join(project, 'src/index.ts'), 'utf8');
    await writeFile(
      join(project, 'wrong-result.ts'),
      source.replace('event.quantity * 3', 'String(event.quantity)'),
    );
    await writeFile(
      join(project, 'tsconfig.wrong.json'),
      // The installed declarations were checked by the test above: only this file matters here.
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { skipLibCheck: true },
        include: ['wrong-result.ts'],
      }),
    );

    const result = await run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.wrong.json'], {
      cwd: project,
    });

    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/wrong-result\.ts\(\d+,\d+\): error TS\d+/);
    expect(result.stdout).toContain("Type 'string' is not assignable to type 'number'");
  });

  it('builds the TypeScript function with lambda-dev build and answers with its bootstrap under the installed emulator', async () => {
    await runOk(join(project, 'node_modules/.bin/lambda-dev'), ['build', 'src/index.ts', ...archArgs()], {
      cwd: project,
    });

    const answer = await invokeOnce(project, [join(project, 'dist/lambda/bootstrap')], ORDER);

    expect(answer).toEqual({ status: 200, body: RECEIPT });
  });

  it('answers with the built function and the Node.js of lambda-dev layer, unpacked as Lambda does, with no node on PATH', async () => {
    await runOk(join(project, 'node_modules/.bin/lambda-dev'), ['build', 'src/index.ts', ...archArgs()], {
      cwd: project,
    });
    const layer = await runOk(join(project, 'node_modules/.bin/lambda-dev'), ['layer', ...archArgs()], {
      cwd: project,
    });
    const [layerZip] = readdirSync(join(project, 'dist/layer')).filter((name) => name.endsWith('.zip'));
    const lambda = await unpackAsLambda(join(temp, 'layered'), {
      functionZip: join(project, 'dist/lambda/function.zip'),
      layerZip: join(project, 'dist/layer', layerZip ?? 'missing.zip'),
    });

    const answer = await invokeOnce(project, [lambda], ORDER);

    expect(layer.stdout + layer.stderr).toMatch(/node2[24]-(x86_64|arm64)\.zip/);
    expect(answer).toEqual({ status: 200, body: RECEIPT });
  });

  it('answers with a function built with --bundle-node, unpacked as Lambda does, with no layer and no node on PATH', async () => {
    await runOk(
      join(project, 'node_modules/.bin/lambda-dev'),
      ['build', 'src/index.ts', '--bundle-node', '--out', 'dist/lambda-node', ...archArgs()],
      { cwd: project },
    );
    const lambda = await unpackAsLambda(join(temp, 'bundled-node'), {
      functionZip: join(project, 'dist/lambda-node/function.zip'),
    });

    const answer = await invokeOnce(project, [lambda], ORDER);

    expect(answer).toEqual({ status: 200, body: RECEIPT });
  });
});

const ORDER = { orderId: 'o-1', quantity: 2 };
const RECEIPT = { orderId: 'o-1', total: 6, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) };

/** `--arch` for this machine: the pinned Node.js must run here to make the code cache and to answer. */
function archArgs(): string[] {
  return ['--arch', process.arch === 'arm64' ? 'arm64' : 'x86_64'];
}

/** Runs `bootstrapArgs` under the installed emulator CLI, invokes it once with `event`, stops it. */
async function invokeOnce(
  cwd: string,
  bootstrapArgs: readonly string[],
  event: unknown,
): Promise<{ status: number; body: unknown }> {
  const emulator = await EmulatorProcess.start(cwd, bootstrapArgs);
  try {
    return await emulator.invoke(event);
  } finally {
    await emulator.stop();
  }
}

/**
 * Unzips a function (and a layer) the way Lambda does, into `<directory>/var/task` and
 * `<directory>/opt`, and returns a script that starts its bootstrap there with no node on PATH:
 * only the layer's /opt/bin/node or the zip's own bin/node can run it.
 */
async function unpackAsLambda(
  directory: string,
  zips: { functionZip: string; layerZip?: string },
): Promise<string> {
  const task = join(directory, 'var/task');
  const opt = join(directory, 'opt');
  await mkdir(task, { recursive: true });
  await mkdir(opt, { recursive: true });
  await runOk('unzip', ['-q', zips.functionZip, '-d', task], { cwd: directory });
  if (zips.layerZip !== undefined) await runOk('unzip', ['-q', zips.layerZip, '-d', opt], { cwd: directory });
  const start = join(directory, 'start');
  await writeFile(
    start,
    `#!/bin/sh\nexport LAMBDA_TASK_ROOT='${task}' LAMBDA_RUNTIME_OPT_DIR='${opt}' PATH=/nonexistent\nexec '${task}/bootstrap'\n`,
    { mode: 0o755 },
  );
  return start;
}
