import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from '@lambda-runtime/api';
import { classifyLoadError } from './classify-load-error.js';
import { type HandlerSpec, parseHandlerSpec } from './handler-spec.js';
import { type LocatedModule, locateModule } from './locate-module.js';
import { pickHandler } from './pick-handler.js';

/** Options of {@link loadHandler}. */
export interface LoadHandlerOptions {
  /**
   * The directory handler paths are relative to. Default: `LAMBDA_TASK_ROOT`, else the current
   * working directory.
   */
  readonly taskRoot?: string;
  /**
   * Imports an ES module by its `file:` URL. Default: `import()` from this package. Code compiled
   * with `vm.Script` (a bundled runtime run with a code cache) has no `import()` of its own without
   * an experimental flag, so it passes one made by a real module.
   */
  readonly importModule?: (url: string) => Promise<unknown>;
}

/**
 * Loads the function a `_HANDLER` string names, with the managed Node.js runtime's rules:
 * `[dir/]module.export[.nested...]` relative to the task root; the module is `<module>` itself
 * (extensionless file or directory), `<module>.js` (ESM or CommonJS per the nearest `package.json`
 * `type`), `<module>.mjs`, `<module>.cjs`, or a package of that name (see {@link locateModule});
 * the export is looked up on the module, then on its `default` export.
 *
 * Failures carry the type the managed runtime reports, so an initializer can let them propagate
 * to `/runtime/init/error`: the runtime's own `Runtime.*` errors below, and anything else the
 * module throws or rejects with while it loads (top-level code, top-level `await`) unchanged, so a
 * `RangeError` is reported as `RangeError`.
 *
 * @throws {@link MalformedHandlerNameError} (`Runtime.MalformedHandlerName`) when the string contains `..` or has no dot.
 * @throws {@link ImportModuleError} (`Runtime.ImportModuleError`) when the module is not there, or a `require` while it loads finds nothing (`MODULE_NOT_FOUND`, as `cause`).
 * @throws {@link UserCodeSyntaxError} (`Runtime.UserCodeSyntaxError`) when loading throws a `SyntaxError` (the module, or one it loads, does not parse).
 * @throws {@link HandlerNotFoundError} (`Runtime.HandlerNotFound`) when the export is missing or not a function.
 *
 * @example
 * ```ts
 * import { defaultRuntime } from '@lambda-runtime/core';
 * import { loadHandler } from '@lambda-runtime/handler-loader';
 *
 * defaultRuntime(() => loadHandler(process.env._HANDLER ?? 'index.handler')).run();
 * ```
 */
export async function loadHandler(spec: string, options: LoadHandlerOptions = {}): Promise<Handler> {
  const parsed = parseHandlerSpec(spec);
  const taskRoot = resolve(options.taskRoot ?? process.env.LAMBDA_TASK_ROOT ?? process.cwd());
  let located: LocatedModule | undefined;
  let namespace: unknown;
  try {
    located = locateModule(taskRoot, parsed);
    namespace = await importModule(located, taskRoot, options.importModule ?? importWithNode);
  } catch (error) {
    const moduleName = `module '${parsed.directory}${parsed.module}'`;
    throw classifyLoadError(error, located === undefined ? moduleName : `${moduleName} (${located.file})`);
  }
  return pickHandler(namespace, parsed, sourceOf(parsed, located));
}

function importWithNode(url: string): Promise<unknown> {
  return import(url);
}

async function importModule(
  located: LocatedModule,
  taskRoot: string,
  importEsm: (url: string) => Promise<unknown>,
): Promise<unknown> {
  switch (located.format) {
    case 'esm':
      return await importEsm(pathToFileURL(located.file).href);
    case 'cjs':
      return createRequire(located.file)(located.file);
    case 'builtin':
      return createRequire(join(taskRoot, 'index.js'))(located.file);
  }
}

function sourceOf(spec: HandlerSpec, located: LocatedModule): string {
  const moduleName = `${spec.directory}${spec.module}`;
  return located.format === 'builtin'
    ? `Node.js built-in module '${located.file}' (no ${moduleName}, ${moduleName}.js, .mjs or .cjs in the task root)`
    : `module '${moduleName}' (${located.file})`;
}
