import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every publishable package of the workspace, packed (from its built dist/) into `destination`. */
export async function packWorkspace(destination: string): Promise<ReadonlyMap<string, string>> {
  await run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', destination], {
    cwd: WORKSPACE,
    env: cleanEnv(),
  });
  const tarballs = new Map<string, string>();
  for (const folder of await readdir(join(WORKSPACE, 'packages'))) {
    const manifest = JSON.parse(
      await readFile(join(WORKSPACE, 'packages', folder, 'package.json'), 'utf8'),
    ) as { name: string; version: string };
    const file = `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
    tarballs.set(manifest.name, join(destination, file));
  }
  return tarballs;
}

/**
 * Points a project's `@lambda-runtime/*` dependencies, direct and transitive, at the tarballs:
 * the tarballs stand for the registry, where our packages are not published from this checkout.
 * Third-party packages still come from the registry.
 */
export async function useTarballs(project: string, tarballs: ReadonlyMap<string, string>): Promise<void> {
  const path = join(project, 'package.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const specs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const dependencies = manifest[field] as Record<string, string> | undefined;
    for (const name of Object.keys(dependencies ?? {})) {
      const spec = specs[name];
      if (dependencies !== undefined && spec !== undefined) dependencies[name] = spec;
    }
  }
  // npm accepts an override of a direct dependency only when both specs are the same.
  manifest.overrides = specs;
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The environment for npm and pnpm children, without the npm_* settings a parent pnpm run sets. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

/** Runs a command, resolving with its output; rejects (with the output) on a non-zero exit. */
export async function exec(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  return run(command, [...args], { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
}
