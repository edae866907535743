import { type Handler, HandlerNotFoundError } from '@lambda-runtime/api';
import type { HandlerSpec } from './handler-spec.js';

/**
 * Picks the function a handler string names from a loaded module's exports, with the managed
 * Node.js runtime's rules: the nested export names are walked on the module, then on its `default`
 * export; any falsy value is "not exported". {@link loadHandler} uses it, and so does a runtime that
 * loads the module its own way (a bundle), so both name a missing handler in the same words.
 *
 * @param namespace - the module's exports (an ESM namespace or `module.exports`).
 * @param spec - the parsed handler string.
 * @param source - the module as messages name it, e.g. `module 'src/orders' (/var/task/src/orders.js)`.
 *
 * @throws {@link HandlerNotFoundError} (`Runtime.HandlerNotFound`) when the export is missing or not a function.
 *
 * @example
 * ```ts
 * const handler = pickHandler(await import('./orders.js'), parseHandlerSpec('orders.handler'), "module 'orders'");
 * ```
 */
export function pickHandler(namespace: unknown, spec: HandlerSpec, source: string): Handler {
  let handler = walk(namespace, spec.exportPath);
  if (handler === undefined) {
    // Beyond the managed runtime: CommonJS transpiled from ESM (`exports.default = {...}`) and ESM default-exported objects.
    handler = walk(read(namespace, 'default'), spec.exportPath);
  }
  const exportName = spec.exportPath.join('.');
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

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}
