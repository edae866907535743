import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files of the built package the command needs at run time and for --prepare-cache. */
const COMMAND_FILES = ['bin.cjs', 'bin.js', 'runtime.bundle.cjs', 'prepare-cache.js'];
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/** The built command, `dist/bin.js` and `dist/bin.cjs` in the workspace. */
export const workspaceBin = join(dist, 'bin.js');

/**
 * Copies the command's files (the bundle, without the workspace's other packages or dist/main.js)
 * into a fresh `node_modules/@lambda-runtime/cli/dist`, so only the bundle can run the runtime.
 * With `prepareCache`, runs `bin.cjs --prepare-cache` there. Returns the paths.
 */
export function installedCommand(options: { prepareCache: boolean }): { bin: string; dist: string } {
  const root = mkdtempSync(join(tmpdir(), 'lambda-runtime-cli-'));
  const packageDir = join(root, 'node_modules', '@lambda-runtime', 'cli');
  const copy = join(packageDir, 'dist');
  mkdirSync(copy, { recursive: true });
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: '@lambda-runtime/cli', type: 'module' }),
  );
  for (const file of COMMAND_FILES) copyFileSync(join(dist, file), join(copy, file));
  const bin = join(copy, 'bin.cjs');
  if (options.prepareCache) {
    const result = spawnSync(process.execPath, [bin, '--prepare-cache'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (result.status !== 0) throw new Error(`--prepare-cache failed: ${result.stderr}${result.stdout}`);
  }
  return { bin, dist: copy };
}
