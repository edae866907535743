import { MalformedHandlerNameError } from '@lambda-runtime/api';

/** A `_HANDLER` string taken apart: `src/api/orders.handlers.create` → `src/api/`, `orders`, `handlers.create`. */
export interface HandlerSpec {
  /** The string as given. */
  readonly spec: string;
  /** The directory prefix up to and including the last `/`; `''` when there is none. */
  readonly directory: string;
  /**
   * The module name: the last path segment up to its first dot, without extension. Empty for
   * `src/.handler`, which (as in the managed runtime) names the directory `src/` itself.
   */
  readonly module: string;
  /** The export names to walk, at least one; a name is empty when the string ends with a dot. */
  readonly exportPath: readonly string[];
}

/**
 * Splits a handler string of the form `[dir/]module.export[.nested...]`, the managed Node.js
 * runtime's `_HANDLER` syntax.
 *
 * Only the two shapes the managed runtime refuses are malformed: a string containing `..`
 * anywhere, and one without a dot after its last `/`. Anything else parses, and a part that names
 * nothing fails later with the managed runtime's type (`Runtime.ImportModuleError` for a module
 * that is not there, `Runtime.HandlerNotFound` for an empty export name).
 *
 * @throws {@link MalformedHandlerNameError} when the string contains `..` or has no dot after its
 * last `/`.
 *
 * @example
 * ```ts
 * parseHandlerSpec('src/orders.handlers.create');
 * // { spec: 'src/orders.handlers.create', directory: 'src/', module: 'orders', exportPath: ['handlers', 'create'] }
 * ```
 */
export function parseHandlerSpec(spec: string): HandlerSpec {
  // Checked first and on the whole string, as the managed runtime does: a handler never leaves the task root.
  if (spec.includes('..')) {
    throw malformed(spec, "'..' is not allowed; a handler cannot reach outside the task root");
  }
  const slash = spec.lastIndexOf('/');
  const directory = spec.slice(0, slash + 1);
  const name = spec.slice(slash + 1);
  const dot = name.indexOf('.');
  if (dot === -1) {
    throw malformed(spec, 'expected the form [dir/]module.export');
  }
  return { spec, directory, module: name.slice(0, dot), exportPath: name.slice(dot + 1).split('.') };
}

function malformed(spec: string, reason: string): MalformedHandlerNameError {
  return new MalformedHandlerNameError(`'${spec}' is not a valid handler name: ${reason}`);
}
