import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Invocation, LambdaEnvironment } from '@lambda-runtime/api';

/**
 * Runs `fn` with the invocation's data in the invoke store: `fn`'s result, unchanged. A
 * `DefaultRuntimeLoopOptions.invocationScope`.
 */
export type InvocationScope = <T>(invocation: Invocation, fn: () => T) => T;

const { REQUEST_ID, X_RAY_TRACE_ID, TENANT_ID } = InvokeStoreBase.PROTECTED_KEYS;

// The store is process-wide (a global, by design of the package), and so is the scope filling it.
let installed: InvocationScope | undefined;

/** The scope of the store {@link installInvokeStore} installed, or `undefined` before. */
export function installedInvocationScope(): InvocationScope | undefined {
  return installed;
}

/**
 * Installs `globalThis.awslambda.InvokeStore` from `@aws/lambda-invoke-store`, as the managed
 * Node.js runtime does: the store that Powertools for AWS Lambda (and the AWS SDK) read the request
 * id, the X-Ray trace id and the tenant id of the current invocation from. Under Lambda Managed
 * Instances it is the package's `AsyncLocalStorage` store (invocations run at once); else its
 * single-invocation store. Call it before the function's code loads.
 *
 * The store joins whatever `globalThis.awslambda` already holds (`streamifyResponse`, ...): the
 * object is created when missing, never replaced. A store installed before (by another copy of the
 * package) is kept and used. `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA=1` keeps the global untouched;
 * the runtime then fills a store of its own, which nothing outside can see.
 *
 * @returns the scope that fills the store for one invocation.
 *
 * @example
 * ```ts
 * const scope = await installInvokeStore(environment);
 * new DefaultRuntimeLoop(transport, contextBuilder, codec, logger, environment, { invocationScope: scope });
 * ```
 */
export async function installInvokeStore(environment: LambdaEnvironment): Promise<InvocationScope> {
  const holder = globalThis as { awslambda?: Record<string, unknown> };
  if (!noGlobal()) holder.awslambda ??= {};
  const store = await InvokeStore.getInstanceAsync(environment.maxConcurrency > 1);
  installed = scopeOf(store);
  return installed;
}

/** The scope filling `store` for each invocation. */
function scopeOf(store: InvokeStoreBase): InvocationScope {
  return <T>(invocation: Invocation, fn: () => T): T =>
    store.run(
      {
        [REQUEST_ID]: invocation.requestId,
        [X_RAY_TRACE_ID]: invocation.traceId,
        [TENANT_ID]: invocation.tenantId,
      },
      fn,
    );
}

function noGlobal(): boolean {
  const value = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  return value === '1' || value === 'true';
}
