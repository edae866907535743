import { stat } from 'node:fs/promises';

/**
 * True when something (a file, a folder, a link's target) is at `path`; false when nothing is,
 * or it cannot be reached. For caches and lookups that only need to know whether to make it.
 *
 * @example
 * ```ts
 * if (!(await pathExists(tarball))) await download(url, tarball);
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
