import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import validateNpmPackageName from 'validate-npm-package-name';
import { ScaffoldError } from './scaffold-error.js';

/** Options of {@link scaffoldProject}. */
export interface ScaffoldOptions {
  /** The npm package name of the new project, e.g. `orders` or `@acme/orders`. */
  readonly name: string;
  /** The folder to write; default: the name without its scope, in the current directory. */
  readonly directory?: string;
  /**
   * The version range's base for the `@lambda-runtime/*` packages; default: this package's version,
   * which is every one's (they are released together: one fixed group in .changeset/config.json).
   */
  readonly version?: string;
}

/** What {@link scaffoldProject} wrote. */
export interface ScaffoldResult {
  /** The absolute path of the project folder. */
  readonly directory: string;
  /** The files written, relative to `directory`, `/`-separated, sorted. */
  readonly files: readonly string[];
}

// Shipped in the package next to dist/ (see `files`); the same depth from src/ and dist/.
const TEMPLATE = fileURLToPath(new URL('../../templates/function/', import.meta.url));
const OWN_PACKAGE_JSON = new URL('../../package.json', import.meta.url);

// npm never packs a file named `.gitignore` (it becomes `.npmignore`), so the template stores it
// without its dot.
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/**
 * Writes a new function project: `package.json` (the runtime as a dependency; `lambda-dev`,
 * TypeScript, `@types/aws-lambda` and vitest as dev dependencies), a typed handler and the entry
 * that runs it, its test, a strict NodeNext `tsconfig.json`, a SAM `template.yaml` deploying the
 * build output, `.gitignore` and `README.md`.
 *
 * @throws {@link ScaffoldError} `INVALID_NAME` for a name npm would not publish, `TARGET_NOT_EMPTY`
 * when the folder exists and holds anything (or is a file). Nothing is written then.
 *
 * @example
 * ```ts
 * const { directory, files } = await scaffoldProject({ name: '@acme/orders', directory: 'services/orders' });
 * ```
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<ScaffoldResult> {
  checkName(options.name);
  const directory = resolve(options.directory ?? basename(options.name));
  await checkTarget(directory);
  const values: Readonly<Record<string, string>> = {
    name: options.name,
    version: options.version ?? (await ownVersion()),
  };
  const sources = (await readdir(TEMPLATE, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(TEMPLATE, join(entry.parentPath, entry.name)));
  const files: string[] = [];
  for (const source of sources) {
    const target = join(dirname(source), RENAMED[basename(source)] ?? basename(source));
    const text = await readFile(join(TEMPLATE, source), 'utf8');
    await mkdir(dirname(join(directory, target)), { recursive: true });
    await writeFile(join(directory, target), substitute(text, values), { flag: 'wx' });
    files.push(target.split('\\').join('/'));
  }
  return { directory, files: files.sort() };
}

function checkName(name: string): void {
  const verdict = validateNpmPackageName(name);
  if (verdict.validForNewPackages) return;
  const reasons = [...(verdict.errors ?? []), ...(verdict.warnings ?? [])];
  throw new ScaffoldError('INVALID_NAME', `'${name}' is not a valid npm package name: ${reasons.join('; ')}`);
}

async function checkTarget(directory: string): Promise<void> {
  const stats = await lstat(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (stats === undefined) return;
  if (!stats.isDirectory()) {
    throw new ScaffoldError('TARGET_NOT_EMPTY', `${directory} exists and is not a folder`);
  }
  if ((await readdir(directory)).length > 0) {
    throw new ScaffoldError(
      'TARGET_NOT_EMPTY',
      `${directory} exists and is not empty; choose another name or --dir`,
    );
  }
}

async function ownVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(OWN_PACKAGE_JSON, 'utf8')) as { version: string };
  return manifest.version;
}

/** Replaces every `{{key}}`; an unknown key is a bug in the template, not something to ship. */
function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`Template placeholder ${placeholder} has no value`);
    return value;
  });
}
