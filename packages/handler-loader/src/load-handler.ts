import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Handler,
  HandlerNotFoundError,
  ImportModuleError,
  LambdaRuntimeError,
  UserCodeSyntaxError,
} from '@lambda-runtime/api';
import { type HandlerSpec, parseHandlerSpec } from './handler-spec.js';
import { type LocatedModule, locateModule } from './locate-module.js';

/** Options of {@link loadHandler}. */
export interface LoadHandlerOptions {
  /**
   * The directory handler paths are relative to. Default: `LAMBDA_TASK_ROOT`, else the current
   * working directory.
   */
  readonly taskRoot?: string;
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
    namespace = await importModule(located, taskRoot);
  } catch (error) {
    throw classify(error, parsed, located);
  }
  return pickHandler(namespace, parsed, located);
}

async function importModule(located: LocatedModule, taskRoot: string): Promise<unknown> {
  switch (located.format) {
    case 'esm':
      return await import(pathToFileURL(located.file).href);
    case 'cjs':
      return createRequire(located.file)(located.file);
    case 'builtin':
      return createRequire(join(taskRoot, 'index.js'))(located.file);
  }
}

/**
 * The managed runtime's three cases: a `SyntaxError` becomes `Runtime.UserCodeSyntaxError`, a
 * `MODULE_NOT_FOUND` becomes `Runtime.ImportModuleError`, and everything else is the user's own
 * error, passed on untouched so alarms and retry rules keyed on its type keep working. (ESM's
 * `ERR_MODULE_NOT_FOUND` is such an error: the managed runtime reports it as `Error` too.)
 */
function classify(error: unknown, spec: HandlerSpec, located: LocatedModule | undefined): unknown {
  if (error instanceof LambdaRuntimeError) return error;
  const where = `module '${spec.directory}${spec.module}'${located === undefined ? '' : ` (${located.file})`}`;
  if (isSyntaxError(error)) {
    return withCauseStack(
      new UserCodeSyntaxError(`${error.name}: ${error.message} (in ${where})`, { cause: error }),
    );
  }
  if ((error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') {
    return withCauseStack(
      new ImportModuleError(`Error importing ${where}: ${messageOf(error)}`, { cause: error }),
    );
  }
  return error;
}

/**
 * Replaces the loader's own frames with the user's error, so the stack trace sent to
 * `/init/error` points at the failing line (for a CommonJS SyntaxError, even the source excerpt).
 */
function withCauseStack<E extends Error>(error: E): E {
  const causeStack = (error.cause as { stack?: unknown } | undefined)?.stack;
  if (typeof causeStack === 'string' && causeStack !== '') {
    error.stack = `${error.name}: ${error.message}\n${causeStack}`;
  }
  return error;
}

function pickHandler(namespace: unknown, spec: HandlerSpec, located: LocatedModule): Handler {
  let handler = walk(namespace, spec.exportPath);
  if (handler === undefined) {
    // Beyond the managed runtime: CommonJS transpiled from ESM (`exports.default = {...}`) and ESM default-exported objects.
    handler = walk(read(namespace, 'default'), spec.exportPath);
  }
  const moduleName = `${spec.directory}${spec.module}`;
  const exportName = spec.exportPath.join('.');
  const source =
    located.format === 'builtin'
      ? `Node.js built-in module '${located.file}' (no ${moduleName}, ${moduleName}.js, .mjs or .cjs in the task root)`
      : `module '${moduleName}' (${located.file})`;
  // Any falsy value is "not exported", as in the managed runtime (`exports.handler = 0` included).
  if (!handler) {
    throw new HandlerNotFoundError(
      `${spec.spec} is undefined or not exported: ${source} has no export '${exportName}'`,
    );
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFoundError(
      `${spec.spec} is not a function: export '${exportName}' of ${source} is ${describe(handler)}`,
    );
  }
  return handler as Handler;
}

function walk(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => read(current, key), value);
}

function read(value: unknown, key: string): unknown {
  // Property access on primitives too (`'abc'.length`), like the managed runtime's `nested && nested[key]`.
  if (value === null || value === undefined) return undefined;
  return (value as Record<string, unknown>)[key];
}

function isSyntaxError(error: unknown): error is SyntaxError {
  // By name too: an error from another realm (vm contexts, test runners) fails instanceof.
  return error instanceof SyntaxError || (error instanceof Error && error.name === 'SyntaxError');
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
