import { currentInvocation } from '@lambda-runtime/api';

/**
 * The fields every log line of an invocation carries: `requestId`, and `tenantId` when the
 * invocation has one; none outside an invocation. A new object on each call, because pino's mixin
 * and the JSON formatter merge the user's fields into it.
 *
 * @example
 * ```ts
 * const fields = invocationFields(); // { requestId: '8476a536-...' } inside an invocation
 * ```
 */
export function invocationFields(): Record<string, unknown> {
  const invocation = currentInvocation();
  if (invocation === undefined) return {};
  return invocation.tenantId === undefined
    ? { requestId: invocation.awsRequestId }
    : { requestId: invocation.awsRequestId, tenantId: invocation.tenantId };
}
