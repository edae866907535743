import { encodeHeaderValueComponent } from './decode-header-value.js';

/**
 * Literal names and numbers of the AWS Lambda Runtime API (see docs/runtime-api.md).
 * Everything that speaks the protocol takes its paths and header names from here.
 */

/** Path prefix of the Runtime API. */
export const RUNTIME_API_PREFIX = '/2018-06-01';

/** Runtime API paths, relative to the origin `http://${AWS_LAMBDA_RUNTIME_API}`. */
export const RuntimeApiPath = {
  next: `${RUNTIME_API_PREFIX}/runtime/invocation/next`,
  initError: `${RUNTIME_API_PREFIX}/runtime/init/error`,
  /**
   * The request id is percent-encoded here from the bytes it arrived as (see
   * `encodeHeaderValueComponent`), so callers pass it as `/next` gave it.
   */
  response: (requestId: string): string =>
    `${RUNTIME_API_PREFIX}/runtime/invocation/${encodeHeaderValueComponent(requestId)}/response`,
  error: (requestId: string): string =>
    `${RUNTIME_API_PREFIX}/runtime/invocation/${encodeHeaderValueComponent(requestId)}/error`,
} as const;

/** Header names, lower case (the transport contract lower-cases response headers). */
export const RuntimeHeader = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  invokedFunctionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
  functionErrorType: 'lambda-runtime-function-error-type',
  functionErrorBody: 'lambda-runtime-function-error-body',
  functionResponseMode: 'lambda-runtime-function-response-mode',
  xrayErrorCause: 'lambda-runtime-function-xray-error-cause',
  contentType: 'content-type',
  userAgent: 'user-agent',
} as const;

/** Largest buffered response the platform accepts (6 MiB + 100 bytes); above it `/response` gets 413. */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** Content type assumed for events when `/next` does not name one. */
export const DEFAULT_EVENT_CONTENT_TYPE = 'application/json';
