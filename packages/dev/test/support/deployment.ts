import { execFile } from 'node:child_process';
import { access, constants, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { extractZip } from '../zip-reader.js';

const run = promisify(execFile);
const LAMBDA_DEV = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
// The build, and the layer's Node.js download on a machine that has not cached it yet.
const SETUP_MS = 600_000;

/** What {@link useDeploymentBuild} gives the tests of a deployment example. */
export interface DeploymentBuild {
  /** A scratch folder, removed after the tests, to lay artifacts out in. */
  readonly root: string;
}

/**
 * Registers hooks that, before the tests of the enclosing `describe`, run `lambda-dev build
 * src/index.ts` and `lambda-dev layer` in `project` (as its deployment expects) and make a scratch
 * folder, and remove that folder after them.
 */
export function useDeploymentBuild(project: string): DeploymentBuild {
  let root: string | undefined;

  beforeAll(async () => {
    await run(process.execPath, [LAMBDA_DEV, 'build', 'src/index.ts'], { cwd: project });
    await run(process.execPath, [LAMBDA_DEV, 'layer'], { cwd: project });
    root = await mkdtemp(join(tmpdir(), `lambda-runtime-${basename(project)}-`));
  }, SETUP_MS);

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  return {
    get root(): string {
      if (root === undefined) throw new Error('useDeploymentBuild: the build has not run yet');
      return root;
    },
  };
}

/**
 * Lays an artifact out as Lambda would: a .zip extracted (as Lambda extracts it to /var/task or
 * /opt), a folder copied (as `sam deploy` or CDK's `Code.fromAsset` zips it).
 */
export async function unpackArtifact(artifact: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  if (artifact.endsWith('.zip')) await extractZip(artifact, into);
  else await cp(artifact, into, { recursive: true });
  return into;
}

/**
 * Lays the Node.js layer's artifact out as /opt in `into`; throws unless its `bin/node` is
 * executable. Returns the folder and the version that node reports.
 */
export async function unpackLayer(
  artifact: string,
  into: string,
): Promise<{ opt: string; nodeVersion: string }> {
  const opt = await unpackArtifact(artifact, into);
  const node = join(opt, 'bin', 'node');
  await access(node, constants.X_OK);
  const { stdout } = await run(node, ['--version']);
  return { opt, nodeVersion: stdout.trim() };
}
