import {
  type Handler,
  HandlerNotFoundError,
  ImportModuleError,
  UserCodeSyntaxError,
} from '@lambda-runtime/api';
import { parseHandlerSpec } from '@lambda-runtime/handler-loader';

/**
 * The handler a `_HANDLER`-style string names, from a module bundled with the runtime: what
 * `lambda-dev build <module>.<export>` runs. `load` evaluates the module (inside the runtime's
 * initializer, so its failures are init errors); the export is then picked with the rules and the
 * error types of `@lambda-runtime/handler-loader`'s `loadHandler` (kept in step with it): the
 * nested export names are walked on the module, then on its `default` export; a falsy export is
 * "not exported".
 *
 * @param spec - `[dir/]module.export[.nested]`, as given to `lambda-dev build`.
 * @param file - the module's source file, for messages.
 * @param load - evaluates the bundled module and returns its exports.
 *
 * @throws `Runtime.UserCodeSyntaxError` when loading throws a `SyntaxError`,
 * `Runtime.ImportModuleError` when a `require` while loading finds nothing (`MODULE_NOT_FOUND`),
 * anything else the module throws while loading unchanged (a `RangeError` stays a `RangeError`),
 * `Runtime.HandlerNotFound` when the export is missing or not a function.
 *
 * @example
 * ```ts
 * defaultRuntime(() => bundledHandler('src/orders.handler', 'src/orders.ts', () => require('./src/orders.ts'))).run();
 * ```
 */
export async function bundledHandler(spec: string, file: string, load: () => unknown): Promise<Handler> {
  const parsed = parseHandlerSpec(spec);
  const where = `module '${parsed.directory}${parsed.module}' (${file})`;
  let namespace: unknown;
  try {
    namespace = await load();
  } catch (error) {
    throw classify(error, where);
  }
  let handler = walk(namespace, parsed.exportPath);
  if (handler === undefined) handler = walk(read(namespace, 'default'), parsed.exportPath);
  const exportName = parsed.exportPath.join('.');
  // Any falsy value is "not exported", as in the managed runtime.
  if (!handler) {
    throw new HandlerNotFoundError(
      `${spec} is undefined or not exported: ${where} has no export '${exportName}'`,
    );
  }
  if (typeof handler !== 'function') {
    const kind = Array.isArray(handler) ? 'an array' : `a value of type ${typeof handler}`;
    throw new HandlerNotFoundError(
      `${spec} is not a function: export '${exportName}' of ${where} is ${kind}`,
    );
  }
  return handler as Handler;
}

// The managed runtime's three cases; everything but a SyntaxError and MODULE_NOT_FOUND is the user's own error.
function classify(error: unknown, where: string): unknown {
  if (error instanceof Error && error.name === 'SyntaxError') {
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

// The user's stack, not ours: the init error then points at the failing line.
function withCauseStack<E extends Error>(error: E): E {
  const causeStack = (error.cause as { stack?: unknown } | undefined)?.stack;
  if (typeof causeStack === 'string' && causeStack !== '')
    error.stack = `${error.name}: ${error.message}\n${causeStack}`;
  return error;
}

function walk(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => read(current, key), value);
}

function read(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  return (value as Record<string, unknown>)[key];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
