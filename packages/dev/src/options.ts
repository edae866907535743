import { DevToolError } from './dev-tool-error.js';
import { DEFAULT_NODE_MAJOR, type LambdaArchitecture, type NodeMajor } from './node-releases.js';

/** `--arch`: `x86_64` (default) or `arm64`, as Lambda spells them. */
export function parseArch(value: string | undefined): LambdaArchitecture {
  if (value === undefined || value === 'x86_64') return 'x86_64';
  if (value === 'arm64') return 'arm64';
  throw new DevToolError('ERR_USAGE', `--arch must be x86_64 or arm64, not '${value}'`);
}

/** `--node`: `24` (default, the current LTS) or `22`. */
export function parseNodeMajor(value: string | undefined): NodeMajor {
  if (value === undefined) return DEFAULT_NODE_MAJOR;
  if (value === '22' || value === '24') return Number(value) as NodeMajor;
  throw new DevToolError('ERR_USAGE', `--node must be 22 or 24, not '${value}'`);
}
