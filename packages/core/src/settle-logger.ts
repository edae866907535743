import type { Logger } from '@lambda-runtime/api';

/**
 * Loads and writes what a deferred logger (such as the default one) kept; `undefined` for a logger
 * without `settle()`, which defers nothing.
 */
export function settleLogger(logger: Logger): Promise<void> | undefined {
  const settle = (logger as { settle?: unknown }).settle;
  return typeof settle === 'function' ? (settle as () => Promise<void>).call(logger) : undefined;
}
