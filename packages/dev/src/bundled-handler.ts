import type { Handler } from '@lambda-runtime/api';
import { classifyLoadError, parseHandlerSpec, pickHandler } from '@lambda-runtime/handler-loader';

// The key of @lambda-runtime/bundler's WARM_UP_HANDLER, spelled out: the bundler (esbuild with it) stays out of the bundle.
const WARM_UP_HANDLER = Symbol.for('@lambda-runtime/bundler/warm-up-handler');

/**
 * The handler a `_HANDLER`-style string names, from a module bundled with the runtime: what
 * `lambda-dev build <module>.<export>` runs. `load` evaluates the module (inside the runtime's
 * initializer, so its failures are init errors); the export is then picked with the rules and the
 * error types of `@lambda-runtime/handler-loader`'s `loadHandler` (its `pickHandler` and `classifyLoadError`): the
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
  // The bundler's warm-up runs the bundle at build time to warm its code cache: it must get a stub
  // (WARM_UP_HANDLER of @lambda-runtime/bundler), never the user's module, which would then run at build time.
  const warmUp = (globalThis as Record<symbol, unknown>)[WARM_UP_HANDLER];
  if (typeof warmUp === 'function') return warmUp as Handler;
  const parsed = parseHandlerSpec(spec);
  const where = `module '${parsed.directory}${parsed.module}' (${file})`;
  let namespace: unknown;
  try {
    namespace = await load();
  } catch (error) {
    throw classifyLoadError(error, where);
  }
  return pickHandler(namespace, parsed, where);
}
