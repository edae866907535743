import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME_PACKAGES = fileURLToPath(new URL('../../node_modules/@lambda-runtime', import.meta.url));

/**
 * A function project in a new temporary folder, outside the workspace: a `package.json`
 * (`"type": "module"`), an empty `src/`, and a `node_modules` of its own whose `@lambda-runtime`
 * packages are this workspace's (linked), so `lambda-dev watch` writes its cache there and
 * `@lambda-runtime/core` resolves as in an installed project.
 */
export async function watchedProject(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  await mkdir(join(root, 'src'));
  await mkdir(join(root, 'node_modules'));
  await symlink(RUNTIME_PACKAGES, join(root, 'node_modules', '@lambda-runtime'), 'dir');
  await writeFile(join(root, 'package.json'), '{"name":"watched","private":true,"type":"module"}\n');
  return root;
}
