/**
 * Per-invocation settings of {@link RuntimeApiEmulator.invoke}: what the runtime's `/next` answer
 * carries (docs/runtime-api.md §3.1) and how long to wait. All optional.
 *
 * @example
 * ```ts
 * await emulator.invoke({ id: 1 }, { traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Sampled=1', tenantId: 'acme' });
 * await emulator.invoke(undefined, { rawBody: 'plain text', contentType: 'text/plain' });
 * ```
 */
export interface InvokeOptions {
  /** Send these bytes as the event instead of `JSON.stringify(event)`. */
  readonly rawBody?: Uint8Array | string;
  /** `Content-Type` of the event (default `application/json`); `null` leaves the header out. */
  readonly contentType?: string | null;
  /** `Lambda-Runtime-Aws-Request-Id`; default a random UUID. */
  readonly requestId?: string;
  /** `Lambda-Runtime-Trace-Id`. */
  readonly traceId?: string;
  /** `Lambda-Runtime-Client-Context` (JSON text). */
  readonly clientContext?: string;
  /** `Lambda-Runtime-Cognito-Identity` (JSON text). */
  readonly cognitoIdentity?: string;
  /** `Lambda-Runtime-Aws-Tenant-Id`. */
  readonly tenantId?: string;
  /** `Lambda-Runtime-Invoked-Function-Arn`; default the function's unqualified ARN. */
  readonly invokedFunctionArn?: string;
  /** `Lambda-Runtime-Deadline-Ms`; default delivery time + `timeoutSeconds`. */
  readonly deadlineMs?: number;
  /** Added to the `/next` answer verbatim, overriding the above ('' allowed). */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** Reject when the runtime has not answered after this many ms. Default 30 000. */
  readonly timeoutMs?: number;
}
