import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_RELEASES } from '../../packages/dev/src/node-releases.js';
import { WORKSPACE } from './installed-project.js';

/** The `major.arch) version=... integrity='...'` lines of scripts/node-from-registry.sh. */
function scriptPins(): Map<string, { version: string; integrity: string }> {
  const script = readFileSync(join(WORKSPACE, 'scripts/node-from-registry.sh'), 'utf8');
  const pins = new Map<string, { version: string; integrity: string }>();
  for (const [, major, arch, version, integrity] of script.matchAll(
    /^\s*(\d+)\.(x64|arm64)\) version=(\S+) integrity='([^']+)'/gm,
  )) {
    pins.set(`${major}.${arch}`, { version: version ?? '', integrity: integrity ?? '' });
  }
  return pins;
}

describe('scripts/node-from-registry.sh', () => {
  it('pins the same Node.js versions and integrity hashes as lambda-dev when CI tests under them', () => {
    const expected = new Map<string, { version: string; integrity: string }>();
    for (const [major, byArch] of Object.entries(NODE_RELEASES)) {
      expected.set(`${major}.x64`, { version: byArch.x86_64.version, integrity: byArch.x86_64.integrity });
      expected.set(`${major}.arm64`, { version: byArch.arm64.version, integrity: byArch.arm64.integrity });
    }

    const pins = scriptPins();

    expect(Object.fromEntries(pins)).toEqual(Object.fromEntries(expected));
  });
});
