import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Handler,
  HandlerNotFoundError,
  ImportModuleError,
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
 * `[dir/]module.export[.nested...]` relative to the task root; the module is `<module>.js` (ESM or
 * CommonJS per the nearest `package.json` `type`), `<module>.mjs`, `<module>.cjs`, or whatever
 * `require` resolves from the task root (extensionless file, directory, package); the export is
 * looked up on the module, then on its `default` export.
 *
 * Every failure is a `LambdaRuntimeError` whose `errorType` is what the managed runtime reports, so
 * an initializer can let it propagate to `/runtime/init/error`.
 *
 * @throws {@link MalformedHandlerNameError} (`Runtime.MalformedHandlerName`) for a bad string or `..`.
 * @throws {@link ImportModuleError} (`Runtime.ImportModuleError`) when the module is missing or throws while loading (as `cause`).
 * @throws {@link UserCodeSyntaxError} (`Runtime.UserCodeSyntaxError`) when the module is not valid JavaScript.
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
  const located = locateModule(taskRoot, parsed);
  const namespace = await importModule(located, parsed);
  return pickHandler(namespace, parsed, located);
}

async function importModule(located: LocatedModule, spec: HandlerSpec): Promise<unknown> {
  try {
    if (located.format === 'esm') {
      return await import(pathToFileURL(located.file).href);
    }
    return createRequire(located.file)(located.file);
  } catch (error) {
    const moduleName = `${spec.directory}${spec.module}`;
    if (isSyntaxError(error)) {
      throw withCauseStack(
        new UserCodeSyntaxError(
          `${error.name}: ${error.message} (in module '${moduleName}', ${located.file})`,
          {
            cause: error,
          },
        ),
      );
    }
    throw withCauseStack(
      new ImportModuleError(`Error importing module '${moduleName}' (${located.file}): ${messageOf(error)}`, {
        cause: error,
      }),
    );
  }
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
    // CommonJS transpiled from ESM (`exports.default = {...}`) and ESM default-exported objects.
    handler = walk(read(namespace, 'default'), spec.exportPath);
  }
  const moduleName = `${spec.directory}${spec.module}`;
  const exportName = spec.exportPath.join('.');
  if (handler === undefined || handler === null) {
    throw new HandlerNotFoundError(
      `${spec.spec} is undefined or not exported: module '${moduleName}' (${located.file}) has no export '${exportName}'`,
    );
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFoundError(
      `${spec.spec} is not a function: export '${exportName}' of module '${moduleName}' (${located.file}) is ${describe(handler)}`,
    );
  }
  return handler as Handler;
}

function walk(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => read(current, key), value);
}

function read(value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
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
