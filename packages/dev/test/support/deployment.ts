import { execFile } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractZip } from '../zip-reader.js';

/** `execFile` as a promise, for the commands the deployment tests run. */
export const run = promisify(execFile);

const LAMBDA_DEV = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** How long a deployment test's setup may take: the build, and the layer's Node.js download on a machine that has not cached it yet. */
export const DEPLOYMENT_SETUP_MS = 600_000;

/** Runs `lambda-dev build src/index.ts` and `lambda-dev layer` in `project`, as its deployment expects. */
export async function buildDeployment(project: string): Promise<void> {
  await run(process.execPath, [LAMBDA_DEV, 'build', 'src/index.ts'], { cwd: project });
  await run(process.execPath, [LAMBDA_DEV, 'layer'], { cwd: project });
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
