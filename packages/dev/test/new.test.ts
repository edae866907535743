import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../src/main.js';
import { ScaffoldError } from '../src/scaffold/scaffold-error.js';
import { scaffoldProject } from '../src/scaffold/scaffold-project.js';
import { WORKSPACE } from './support/workspace-tarballs.js';

interface Manifest {
  name: string;
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

async function readManifest(path: string): Promise<Manifest> {
  return JSON.parse(await readFile(path, 'utf8')) as Manifest;
}

describe('lambda-dev new', () => {
  let root: string;
  let stdout: string;
  let stderr: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lambda-dev-new-'));
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('prints its usage on stdout and exits 0 when given --help', async () => {
    const code = await main(['new', '--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: lambda-dev new <name>');
  });

  it('is listed by lambda-dev --help', async () => {
    const code = await main(['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}new +Create a TypeScript function project/m);
  });

  it.each([
    ['capital letters', 'MyFunction', 'capital letters'],
    ['a leading dot', '.hidden', 'cannot start with a period'],
    ['a space', 'my function', 'URL-friendly'],
    ['a core module name', 'http', 'core module'],
    ['a leading underscore', '_private', 'cannot start with an underscore'],
  ])('refuses a name with %s with exit 2 and npm’s reason, writing nothing', async (_, name, reason) => {
    const target = join(root, 'project');

    const code = await main(['new', name, '--dir', target]);

    expect(code).toBe(2);
    expect(stderr).toContain(`'${name}' is not a valid npm package name`);
    expect(stderr).toContain(reason);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a folder that exists and is not empty with exit 2, leaving it as it was', async () => {
    const target = join(root, 'orders');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'mine');

    const code = await main(['new', 'orders', '--dir', target]);

    expect(code).toBe(2);
    expect(stderr).toContain(`${target} exists and is not empty`);
    expect(await readdir(target)).toEqual(['notes.txt']);
  });

  it('refuses a target that is a file with exit 2', async () => {
    const target = join(root, 'orders');
    await writeFile(target, 'a file');

    const code = await main(['new', 'orders', '--dir', target]);

    expect(code).toBe(2);
    expect(stderr).toContain('exists and is not a folder');
  });

  it('exits 2 with the usage when the name is missing, repeated or an option is unknown', async () => {
    const codes = [
      await main(['new']),
      await main(['new', 'a', 'b']),
      await main(['new', 'a', '--template', 'x']),
    ];

    expect(codes).toEqual([2, 2, 2]);
    expect(stderr).toContain('a name is required');
    expect(stderr).toContain("unexpected argument 'b'");
    expect(stderr).toContain("Unknown option '--template'");
  });

  it('writes the project into an empty existing folder and lists its files', async () => {
    const target = join(root, 'empty');
    await mkdir(target);

    const code = await main(['new', 'orders', '--dir', target]);

    expect(code).toBe(0);
    expect(await filesUnder(target)).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/handler.ts',
      'src/index.ts',
      'template.yaml',
      'test/handler.test.ts',
      'tsconfig.json',
    ]);
    expect(stdout).toContain('  src/handler.ts\n');
    expect(stdout).toContain('npm install');
  });

  it('substitutes every placeholder, the scoped name included', async () => {
    const { directory, files } = await scaffoldProject({
      name: '@acme/orders',
      directory: join(root, 'orders'),
    });

    const texts = await Promise.all(files.map((file) => readFile(join(directory, file), 'utf8')));
    expect(texts.filter((text) => text.includes('{{'))).toEqual([]);
    expect((await readManifest(join(directory, 'package.json'))).name).toBe('@acme/orders');
    expect(texts.join('\n')).toContain('# @acme/orders');
  });

  it('depends on the runtime and lambda-dev at the version of the workspace packages', async () => {
    const { directory } = await scaffoldProject({ name: 'orders', directory: join(root, 'orders') });

    const manifest = await readManifest(join(directory, 'package.json'));
    const core = await readManifest(join(WORKSPACE, 'packages/core/package.json'));
    const dev = await readManifest(join(WORKSPACE, 'packages/dev/package.json'));
    expect(manifest.dependencies).toEqual({ '@lambda-runtime/core': `^${core.version}` });
    expect(manifest.devDependencies['@lambda-runtime/dev']).toBe(`^${dev.version}`);
    expect(manifest.scripts).toMatchObject({
      build: 'lambda-dev build src/index.ts',
      test: 'vitest run',
      typecheck: 'tsc',
    });
  });

  it('pins each third-party dev dependency to a range based on the version the workspace catalog pins', async () => {
    const { directory } = await scaffoldProject({ name: 'orders', directory: join(root, 'orders') });

    const manifest = await readManifest(join(directory, 'package.json'));
    const workspace = parse(await readFile(join(WORKSPACE, 'pnpm-workspace.yaml'), 'utf8')) as {
      catalog: Record<string, string>;
    };
    const thirdParty = Object.entries(manifest.devDependencies).filter(
      ([name]) => !name.startsWith('@lambda-runtime/'),
    );
    expect(thirdParty.map(([name]) => name)).toEqual([
      '@types/aws-lambda',
      '@types/node',
      'typescript',
      'vitest',
    ]);
    for (const [name, range] of thirdParty) {
      expect(range, name).toMatch(/^[~^]\d+\.\d+\.\d+$/);
      expect(range.slice(1), name).toBe(workspace.catalog[name]);
    }
  });

  it('refuses to write when called programmatically with a bad name, with code INVALID_NAME', async () => {
    const attempt = scaffoldProject({ name: 'Orders', directory: join(root, 'orders') });

    await expect(attempt).rejects.toBeInstanceOf(ScaffoldError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });
});
