#!/usr/bin/env node
// Packs every public package of the workspace (packages/*, not private) as `pnpm pack` would for a
// release: `prepack` builds dist, `workspace:` and `catalog:` versions become real ones. Prints
// {"<package name>": "<absolute tarball path>", ...} on stdout; pnpm's own output goes to stderr.
//
//   node scripts/pack-all.mjs <outdir>
//
// Tests and other scripts use it to install the packages as a user would, from the tarballs:
//   npm install --prefix <project> $(node -p 'Object.values(require("<outdir>/tarballs.json")).join(" ")')
// It also writes the same JSON to <outdir>/tarballs.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The public packages: `packages/*` without `"private": true`, as [{ name, dir }]. */
export function publicPackages() {
  const dirs = readdirSync(join(root, 'packages'), { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  );
  return dirs
    .map((entry) => {
      const dir = join(root, 'packages', entry.name);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        return manifest.private === true
          ? undefined
          : { name: manifest.name, version: manifest.version, dir };
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The command that runs pnpm: the one running us (`pnpm run ...` sets npm_execpath), else `pnpm` on
 * PATH, else the packageManager version through npx (CI has only node and npm).
 */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && basename(execPath).startsWith('pnpm')) return [process.execPath, execPath];
  if (spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0) return ['pnpm'];
  const manager = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  return ['npx', '--yes', manager];
}

function run(command, args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${command} ${args.join(' ')} in ${cwd} exited ${code}`));
    });
  });
}

/**
 * Packs every public package into `outdir` (created if needed) and returns { name: tarball path }.
 * Packs two at a time: each `prepack` is a `tsc -b` that is quick once the packages are built.
 */
export async function packAll(outdir) {
  const destination = resolve(outdir);
  mkdirSync(destination, { recursive: true });
  const [command, ...prefix] = pnpmCommand();
  const packages = publicPackages();
  // Build them all once first: each `prepack` is a `tsc -b` of its package and references, and two
  // of those at once on a fresh clone would write the same referenced projects together.
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-b', ...packages.map((entry) => entry.dir)], root);
  const tarballs = {};
  const queue = [...packages];
  async function worker() {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const output = await run(
        command,
        [...prefix, 'pack', '--pack-destination', destination, '--json'],
        next.dir,
      );
      // pnpm prints the lifecycle scripts' output before the JSON document.
      const json = JSON.parse(output.slice(output.indexOf('{')));
      tarballs[next.name] = resolve(next.dir, json.filename);
    }
  }
  await Promise.all([worker(), worker()]);
  const sorted = Object.fromEntries(Object.entries(tarballs).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(destination, 'tarballs.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  return sorted;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2];
  if (outdir === undefined) {
    process.stderr.write('Usage: node scripts/pack-all.mjs <outdir>\n');
    process.exit(2);
  }
  const tarballs = await packAll(outdir);
  process.stdout.write(`${JSON.stringify(tarballs, null, 2)}\n`);
}
