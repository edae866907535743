import { ImportModuleError, LambdaRuntimeError, UserCodeSyntaxError } from '@lambda-runtime/api';

/**
 * What an error thrown while a handler module loads is reported as, with the managed runtime's
 * three cases: a `SyntaxError` becomes `Runtime.UserCodeSyntaxError`, a `MODULE_NOT_FOUND` becomes
 * `Runtime.ImportModuleError` (both with the original as `cause` and its stack, so the init error
 * points at the failing line), and everything else is the user's own error, returned untouched so
 * alarms and retry rules keyed on its type keep working. (ESM's `ERR_MODULE_NOT_FOUND` is such an
 * error: the managed runtime reports it as `Error` too.) The runtime's own errors pass unchanged.
 *
 * @param error - what loading threw or rejected with.
 * @param where - the module as messages name it, e.g. `module 'src/orders' (/var/task/src/orders.js)`.
 *
 * @example
 * ```ts
 * try {
 *   namespace = await import(url);
 * } catch (error) {
 *   throw classifyLoadError(error, `module 'orders' (${file})`);
 * }
 * ```
 */
export function classifyLoadError(error: unknown, where: string): unknown {
  if (error instanceof LambdaRuntimeError) return error;
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

function isSyntaxError(error: unknown): error is SyntaxError {
  // By name too: an error from another realm (vm contexts, test runners) fails instanceof.
  return error instanceof SyntaxError || (error instanceof Error && error.name === 'SyntaxError');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
