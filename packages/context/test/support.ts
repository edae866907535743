import type { Invocation } from '@lambda-runtime/api';
import type { ContextEnvironment } from '../src/default-context-builder.js';

/** The deadline of {@link invocation} (epoch ms). */
export const DEADLINE = 1_767_225_600_123;

/** The function the context tests build contexts for. */
export const environment: ContextEnvironment = {
  functionName: 'orders',
  functionVersion: '$LATEST',
  memorySizeMb: 1769,
  logGroupName: '/aws/lambda/orders',
  logStreamName: '2026/01/01/[$LATEST]abcdef',
};

/** An invocation as the loop reads it from /next, with `overrides` applied. */
export function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return {
    requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    deadlineMs: String(DEADLINE),
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders:prod',
    traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    clientContext: undefined,
    cognitoIdentity: undefined,
    tenantId: undefined,
    contentType: 'application/json',
    headers: {},
    body: new Uint8Array(),
    ...overrides,
  };
}
