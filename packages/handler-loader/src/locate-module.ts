import { readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ImportModuleError } from '@lambda-runtime/api';
import type { HandlerSpec } from './handler-spec.js';

/** How a module file must be loaded. */
export type ModuleFormat = 'esm' | 'cjs';

/** The file a handler module resolved to. */
export interface LocatedModule {
  /** Absolute path of the file to load. */
  readonly file: string;
  readonly format: ModuleFormat;
}

/**
 * Finds the file behind a handler's module, in the managed runtime's order: `<module>.js` (ESM or
 * CommonJS per the nearest `package.json` `type`), `<module>.mjs`, `<module>.cjs`, then `require`
 * resolution from the task root (extensionless file, directory, package in `node_modules` or on
 * `NODE_PATH`).
 *
 * @throws {@link ImportModuleError} naming the module when nothing matches.
 *
 * @example
 * ```ts
 * locateModule('/var/task', parseHandlerSpec('src/app.handler'));
 * // { file: '/var/task/src/app.js', format: 'cjs' }
 * ```
 */
export function locateModule(taskRoot: string, spec: HandlerSpec): LocatedModule {
  const base = resolve(taskRoot, spec.directory, spec.module);
  if (isFile(`${base}.js`)) {
    return { file: `${base}.js`, format: scopeFormat(dirname(base)) };
  }
  if (isFile(`${base}.mjs`)) {
    return { file: `${base}.mjs`, format: 'esm' };
  }
  if (isFile(`${base}.cjs`)) {
    return { file: `${base}.cjs`, format: 'cjs' };
  }
  const file = requireResolve(taskRoot, spec, base);
  return { file, format: formatOf(file) };
}

/**
 * `esm` when the nearest `package.json` above `directory` says `"type": "module"`. The walk stops at
 * the first `package.json` found, at a `node_modules` folder and at the filesystem root, as Node's
 * own package-scope lookup does.
 */
export function scopeFormat(directory: string): ModuleFormat {
  let current = resolve(directory);
  for (;;) {
    if (basename(current) === 'node_modules') return 'cjs';
    const manifest = join(current, 'package.json');
    if (isFile(manifest)) {
      return readType(manifest) === 'module' ? 'esm' : 'cjs';
    }
    const parent = dirname(current);
    if (parent === current) return 'cjs';
    current = parent;
  }
}

function formatOf(file: string): ModuleFormat {
  switch (extname(file)) {
    case '.mjs':
      return 'esm';
    case '.js':
      return scopeFormat(dirname(file));
    default:
      // Extensionless files, .cjs, .json and .node addons are require()'s business, as in the managed runtime.
      return 'cjs';
  }
}

function requireResolve(taskRoot: string, spec: HandlerSpec, base: string): string {
  // Resolve from the task root, not from this package: require() here would search our own node_modules.
  const requireFromRoot = createRequire(join(taskRoot, 'index.js'));
  const moduleName = `${spec.directory}${spec.module}`;
  const attempts: Array<() => string> = [() => requireFromRoot.resolve(base)];
  const searchFrom = [resolve(taskRoot, spec.directory), taskRoot];
  // `@scope/pkg.handler`: the whole prefix may be a package name rather than a directory.
  if (spec.directory !== '' && !spec.directory.startsWith('/') && !spec.directory.startsWith('.')) {
    attempts.push(() => requireFromRoot.resolve(moduleName, { paths: [taskRoot] }));
  }
  attempts.push(() => requireFromRoot.resolve(spec.module, { paths: searchFrom }));

  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      const file = attempt();
      // `events.handler` must mean the user's events.js, never Node's built-in module.
      if (!isBuiltin(file)) return file;
    } catch (error) {
      if (!isNotFound(error)) {
        throw new ImportModuleError(`Cannot resolve module '${moduleName}': ${messageOf(error)}`, {
          cause: error,
        });
      }
      lastError = error;
    }
  }
  throw new ImportModuleError(
    `Cannot find module '${moduleName}' in task root ${taskRoot}: no ${moduleName}.js, .mjs or .cjs ` +
      `there, and require() cannot resolve it as a file, directory or package`,
    { cause: lastError },
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readType(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type;
  } catch {
    // Unreadable manifests count as CommonJS, like the managed runtime; Node reports them on load.
    return undefined;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
