// aws-lambda-ric, the official Node.js runtime interface client, installed on demand for the bench:
// outside the workspace and its lockfile (it is never a dependency of ours), into a cache folder that
// is reused while its install is complete. Its install builds curl, aws-lambda-cpp and a node-gyp
// addon from source, so it needs a C/C++ toolchain; without one the variant is skipped with the reason.
// The install goes to a temporary sibling folder first and is renamed into place when complete, with
// npm's own cache inside the bench cache: nothing outside that folder changes, and an interrupted or
// concurrent install never leaves a half-built package where the bench looks.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The version the issue-15 targets are stated against. */
export const AWS_LAMBDA_RIC_VERSION = '4.0.2';

/** The tools aws-lambda-ric's install scripts run (scripts/preinstall.sh, node-gyp). */
const TOOLCHAIN = ['cc', 'c++', 'make', 'cmake', 'python3', 'tar', 'xz'];

/**
 * Installs aws-lambda-ric@{@link AWS_LAMBDA_RIC_VERSION} under `cacheDir` unless already there.
 * Returns `{ entry, dir }` (its `index.mjs`, the install folder) or `{ skipped }` with the reason it
 * cannot be installed here. `path` is the PATH npm and the build run with: that of a Node.js whose
 * headers node-gyp finds without a download (the system's), even when the bench runs on another.
 */
export async function ensureAwsLambdaRic(cacheDir, log = () => undefined, path = process.env.PATH) {
  const dir = join(cacheDir, `aws-lambda-ric-${AWS_LAMBDA_RIC_VERSION}`);
  const installed = (root) => {
    const packageDir = join(root, 'node_modules', 'aws-lambda-ric');
    // The addon is the last thing its postinstall writes: present means the install completed.
    return existsSync(join(packageDir, 'index.mjs')) && existsSync(join(packageDir, 'rapid-client.node'));
  };
  const found = () => ({ entry: join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs'), dir });
  if (installed(dir)) return found();
  const missing = [];
  for (const tool of TOOLCHAIN) if (!(await onPath(tool, path))) missing.push(tool);
  if (missing.length > 0) {
    return {
      skipped: `aws-lambda-ric ${AWS_LAMBDA_RIC_VERSION} builds curl, aws-lambda-cpp and a native addon at install, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH`,
    };
  }
  const work = `${dir}.installing-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'package.json'),
    `${JSON.stringify({ private: true, name: 'bench-aws-lambda-ric' }, null, 2)}\n`,
  );
  log(
    `bench: installing aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} into ${dir} (builds curl and the addon from source: 1 to 3 minutes)`,
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
        '--no-update-notifier',
        `aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION}`,
      ],
      // Its install scripts are the build: they must run even where npm's default is to hold them back.
      {
        cwd: work,
        env: {
          ...process.env,
          PATH: path,
          npm_config_ignore_scripts: 'false',
          npm_config_engine_strict: 'false',
          npm_config_cache: join(cacheDir, 'npm-cache'),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    const output = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    return {
      skipped: `npm install aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} failed: ${output || error.message}`,
    };
  }
  if (!installed(work)) {
    rmSync(work, { recursive: true, force: true });
    return {
      skipped: `aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} installed without its native addon (were its install scripts blocked?)`,
    };
  }
  // The addon links curl and aws-lambda-cpp statically: the folder can move. Another bench may have
  // finished first: keep its install and drop ours; an incomplete one from before is replaced.
  if (installed(dir)) {
    rmSync(work, { recursive: true, force: true });
    return found();
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return found();
}

async function onPath(tool, path) {
  try {
    await run('sh', ['-c', `command -v ${tool}`], { env: { ...process.env, PATH: path } });
    return true;
  } catch {
    return false;
  }
}
