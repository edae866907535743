import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationContext } from './invocation.js';

// One store per process; a second copy of this package still shares it through the global symbol,
// so loggers and user code see the same scope as the loop.
const storeKey = Symbol.for('@lambda-runtime/invocation-scope');
type GlobalWithStore = typeof globalThis & { [storeKey]?: AsyncLocalStorage<InvocationContext> };
const holder = globalThis as GlobalWithStore;
holder[storeKey] ??= new AsyncLocalStorage<InvocationContext>();
const storage: AsyncLocalStorage<InvocationContext> = holder[storeKey];

/**
 * Runs `fn` with `context` as the current invocation; it stays current across every `await`
 * and callback started inside, and never leaks into concurrent invocations.
 *
 * @example
 * ```ts
 * await runInInvocation(context, () => handler(event, context));
 * ```
 */
export function runInInvocation<T>(context: InvocationContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * The invocation the calling code runs for, or `undefined` outside any invocation (during init).
 *
 * @example
 * ```ts
 * logger.info({ requestId: currentInvocation()?.awsRequestId }, 'charging card');
 * ```
 */
export function currentInvocation(): InvocationContext | undefined {
  return storage.getStore();
}
