import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ImportModuleError } from '@lambda-runtime/api';
import type { HandlerSpec } from './handler-spec.js';

/**
 * How a module must be loaded: `esm` with `import()`, `cjs` with `require`, `builtin` for one of
 * Node's own modules (loaded with `require`, as the managed runtime does when only that matches).
 */
export type ModuleFormat = 'esm' | 'cjs' | 'builtin';

/** The module a handler's name resolved to. */
export interface LocatedModule {
  /** Absolute path of the file to load; for a `builtin`, the module's name (`events`). */
  readonly file: string;
  readonly format: ModuleFormat;
}

/**
 * Finds the module behind a handler's name in the managed Node.js runtime's order, where the
 * first match wins (`base` is `<taskRoot>/<dir>/<module>`):
 *
 * 1. `base` itself when it exists (an extensionless file, or a directory), resolved the way
 *    `require(base)` would: the file, else `base.js`/`.json`/`.node`, else the directory's
 *    `package.json` `main` or `index.js`. So `app` beats `app.js`;
 * 2. `base.js`, ESM when the nearest `package.json` says `"type": "module"`, CommonJS otherwise;
 * 3. `base.mjs` (ESM); 4. `base.cjs` (CommonJS);
 * 5. a package named `<module>` in `node_modules` above the task root or above `<dir>`, or on
 *    `NODE_PATH` (a layer); a Node built-in module of that name when nothing else matches;
 * 6. (beyond the managed runtime) a scoped package when `<dir>` is the scope: `@scope/pkg.handler`.
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
  // Resolve from the task root, not from this package: require() here would search our own node_modules.
  const requireFromRoot = createRequire(join(taskRoot, 'index.js'));

  // existsSync, like the managed runtime: a directory counts too, and require() picks its entry.
  if (existsSync(base)) {
    // A directory without an entry point is not the end, unlike the managed runtime: the candidates below may still match.
    const file = unlessNotFound(() => requireFromRoot.resolve(base));
    if (file !== undefined) return { file, format: formatOf(file) };
  }
  if (isFile(`${base}.js`)) {
    return { file: `${base}.js`, format: scopeFormat(dirname(base)) };
  }
  if (isFile(`${base}.mjs`)) {
    return { file: `${base}.mjs`, format: 'esm' };
  }
  if (isFile(`${base}.cjs`)) {
    return { file: `${base}.cjs`, format: 'cjs' };
  }
  return locatePackage(taskRoot, spec, requireFromRoot);
}

/**
 * `esm` when the nearest `package.json` above `directory` says `"type": "module"`. The walk stops at
 * the first `package.json` found, at a `node_modules` folder and at the filesystem root, as the
 * managed runtime's lookup does.
 */
export function scopeFormat(directory: string): 'esm' | 'cjs' {
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

function locatePackage(taskRoot: string, spec: HandlerSpec, requireFromRoot: NodeJS.Require): LocatedModule {
  const moduleName = `${spec.directory}${spec.module}`;
  const attempts: Array<() => string> = [];
  if (spec.module !== '') {
    // The task root first, then the handler's directory: the managed runtime's order.
    const paths = [taskRoot, resolve(taskRoot, spec.directory)];
    attempts.push(() => requireFromRoot.resolve(spec.module, { paths }));
  }
  if (/^@[^/]+\/$/.test(spec.directory) && spec.module !== '') {
    attempts.push(() => requireFromRoot.resolve(moduleName, { paths: [taskRoot] }));
  }
  let builtin: string | undefined;
  let lastError: unknown;
  for (const attempt of attempts) {
    const file = unlessNotFound(attempt, (error) => {
      lastError = error;
    });
    if (file === undefined) continue;
    // Kept as the last resort: a scoped package of the same name still wins over a built-in.
    if (isBuiltin(file)) builtin ??= file;
    else return { file, format: formatOf(file) };
  }
  if (builtin !== undefined) return { file: builtin, format: 'builtin' };
  throw new ImportModuleError(
    `Cannot find module '${moduleName}' in task root ${taskRoot}: no ${moduleName}, ${moduleName}.js, ` +
      `.mjs or .cjs there, and no package '${spec.module}' in node_modules or on NODE_PATH`,
    { cause: lastError },
  );
}

function formatOf(file: string): 'esm' | 'cjs' {
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

/** The attempt's result, or `undefined` when it failed only because the module is not there. */
function unlessNotFound(attempt: () => string, onNotFound?: (error: unknown) => void): string | undefined {
  try {
    return attempt();
  } catch (error) {
    // Any other failure (an invalid package.json, a path a package does not export) is the user's to see.
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    onNotFound?.(error);
    return undefined;
  }
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
