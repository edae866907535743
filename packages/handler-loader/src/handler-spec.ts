import { MalformedHandlerNameError } from '@lambda-runtime/api';

/** A `_HANDLER` string taken apart: `src/api/orders.handlers.create` → `src/api/`, `orders`, `handlers.create`. */
export interface HandlerSpec {
  /** The string as given. */
  readonly spec: string;
  /** The directory prefix up to and including the last `/`; `''` when there is none. */
  readonly directory: string;
  /** The module name: the last path segment up to its first dot, without extension. */
  readonly module: string;
  /** The export names to walk, at least one. */
  readonly exportPath: readonly string[];
}

/**
 * Splits a handler string of the form `[dir/]module.export[.nested...]`, the managed Node.js
 * runtime's `_HANDLER` syntax.
 *
 * @throws {@link MalformedHandlerNameError} when the string has no dot after its last `/`, has an
 * empty module, export or directory segment, or contains `..`.
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
  const module = name.slice(0, dot);
  const exportPath = name.slice(dot + 1).split('.');
  if (module === '') {
    throw malformed(spec, 'the module name is empty');
  }
  if (exportPath.some((part) => part === '')) {
    throw malformed(spec, 'an export name is empty');
  }
  // An absolute prefix (`/opt/app/`) is allowed; an empty segment in the middle (`a//b/`) is a typo.
  const segments = directory.split('/').slice(directory.startsWith('/') ? 1 : 0, -1);
  if (segments.some((segment) => segment === '')) {
    throw malformed(spec, 'a directory segment is empty');
  }
  return { spec, directory, module, exportPath };
}

function malformed(spec: string, reason: string): MalformedHandlerNameError {
  return new MalformedHandlerNameError(`'${spec}' is not a valid handler name: ${reason}`);
}
