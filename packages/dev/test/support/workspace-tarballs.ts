import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Every public package of the workspace packed into `destination` by scripts/pack-all.mjs, as a
 * release would pack it: package name to tarball path.
 */
export async function packWorkspace(destination: string): Promise<ReadonlyMap<string, string>> {
  const { stdout } = await run(process.execPath, ['scripts/pack-all.mjs', destination], {
    // The inherited environment: pack-all runs the pnpm that runs us (npm_execpath) when there is one.
    cwd: WORKSPACE,
    maxBuffer: 16 * 1024 * 1024,
  });
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, string>));
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

/**
 * The environment for npm, pnpm and the project's own tools: without the npm_* settings a parent
 * pnpm run sets, and without the markers of the vitest run we are in (a nested vitest would think
 * it is a worker), colourless so output can be matched.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = /^(npm_|pnpm_|vitest|force_color$|node_env$|test$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !inherited.test(key)));
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

/** Runs a command, resolving with its output; rejects (with the output) on a non-zero exit. */
export async function exec(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  return run(command, [...args], { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
}
