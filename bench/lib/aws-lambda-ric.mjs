// aws-lambda-ric, the official Node.js runtime interface client, installed on demand for the bench:
// outside the workspace and its lockfile (it is never a dependency of ours), into a cache folder that
// is reused while its install is complete. Its install builds curl, aws-lambda-cpp and a node-gyp
// addon from source, so it needs a C/C++ toolchain; without one the variant is skipped with the reason.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The version the issue-15 targets are stated against. */
export const AWS_LAMBDA_RIC_VERSION = '4.0.2';

/** The tools aws-lambda-ric's install scripts run (scripts/preinstall.sh, node-gyp). */
const TOOLCHAIN = ['cc', 'c++', 'make', 'cmake', 'python3', 'tar', 'xz'];

/**
 * Installs aws-lambda-ric@{@link AWS_LAMBDA_RIC_VERSION} under `cacheDir` unless already there.
 * Returns `{ entry }` (its `index.mjs`) or `{ skipped }` with the reason it cannot be installed here.
 */
export async function ensureAwsLambdaRic(cacheDir, log = () => undefined) {
  const dir = join(cacheDir, `aws-lambda-ric-${AWS_LAMBDA_RIC_VERSION}`);
  const packageDir = join(dir, 'node_modules', 'aws-lambda-ric');
  const entry = join(packageDir, 'index.mjs');
  // The addon is the last thing its postinstall writes: present means the install completed.
  if (existsSync(entry) && existsSync(join(packageDir, 'rapid-client.node'))) return { entry, dir };
  const missing = [];
  for (const tool of TOOLCHAIN) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length > 0) {
    return {
      skipped: `aws-lambda-ric ${AWS_LAMBDA_RIC_VERSION} builds curl, aws-lambda-cpp and a native addon at install, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH`,
    };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ private: true, name: 'bench-aws-lambda-ric' }, null, 2)}\n`,
  );
  log(
    `bench: installing aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} into ${dir} (builds from source, about a minute)`,
  );
  try {
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--no-save',
        `aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION}`,
      ],
      // Its install scripts are the build: they must run even where npm's default is to hold them back.
      {
        cwd: dir,
        env: { ...process.env, npm_config_ignore_scripts: 'false', npm_config_engine_strict: 'false' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (error) {
    const output = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    return {
      skipped: `npm install aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} failed: ${output || error.message}`,
    };
  }
  if (!existsSync(join(packageDir, 'rapid-client.node'))) {
    return {
      skipped: `aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} installed without its native addon (were its install scripts blocked?)`,
    };
  }
  return { entry, dir };
}

async function onPath(tool) {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}
