import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type NodeBinaryOptions, nodeBinary } from './node-binary.js';
import {
  DEFAULT_NODE_MAJOR,
  type LambdaArchitecture,
  type NodeMajor,
  type NodeRelease,
  nodeRelease,
} from './node-releases.js';
import { writeReproducibleZip } from './reproducible-zip.js';

/** Options of {@link buildLayer}. */
export interface BuildLayerOptions {
  /** Default `x86_64`. */
  readonly arch?: LambdaArchitecture;
  /** Default 24, the current LTS line. */
  readonly nodeMajor?: NodeMajor;
  /** Where the zip goes. Default `dist/layer` under the current directory. */
  readonly outDir?: string;
  readonly nodeCache?: NodeBinaryOptions;
}

/** What {@link buildLayer} wrote. */
export interface LayerResult {
  /** `<outDir>/node<major>-<arch>.zip`. */
  readonly zip: string;
  readonly zipBytes: number;
  /** Size of `bin/node` unzipped. */
  readonly nodeBytes: number;
  readonly release: NodeRelease;
  readonly arch: LambdaArchitecture;
}

/**
 * Builds a Lambda layer with Node.js for the `provided.al2023` runtime: `bin/node` (which Lambda
 * unpacks to `/opt/bin/node`, where the `bootstrap` of `lambda-dev build` looks first) and Node's
 * license, from the pinned, integrity-checked npm package for the architecture. The zip is
 * reproducible.
 *
 * @example
 * ```ts
 * const layer = await buildLayer({ arch: 'arm64' });
 * // layer.zip: dist/layer/node24-arm64.zip
 * ```
 */
export async function buildLayer(options: BuildLayerOptions = {}): Promise<LayerResult> {
  const arch = options.arch ?? 'x86_64';
  const major = options.nodeMajor ?? DEFAULT_NODE_MAJOR;
  const release = nodeRelease(arch, major);
  const binary = await nodeBinary(release, options.nodeCache);
  const outDir = resolve(options.outDir ?? join('dist', 'layer'));
  const zip = join(outDir, `node${major}-${arch}.zip`);
  await mkdir(outDir, { recursive: true });
  const zipBytes = await writeReproducibleZip(zip, [
    { name: 'bin/node', source: binary.node, mode: 0o755 },
    { name: 'share/doc/node/LICENSE', source: binary.license, mode: 0o644 },
  ]);
  return { zip, zipBytes, nodeBytes: (await stat(binary.node)).size, release, arch };
}
