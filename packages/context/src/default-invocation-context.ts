import type { ClientContext, Clock, CognitoIdentity, InvocationContext } from '@lambda-runtime/api';

/** The parts of a context that come from the environment, computed once per builder. */
export interface FunctionMetadata {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/**
 * The context object {@link DefaultContextBuilder} returns. A plain class: every field is an own
 * enumerable property (so `JSON.stringify`, `util.inspect` and `Object.assign` see them). Not frozen:
 * custom builders extend it. `getRemainingTimeInMillis` is an own closure rather than a prototype
 * method because handler code and middleware written for the managed runtime copy contexts with
 * spread and call the method detached; one closure per invocation is the price of that.
 *
 * @example
 * ```ts
 * const context = new DefaultInvocationContext(metadata, systemClock, 'id', arn, deadline, undefined, undefined, undefined, undefined);
 * context.getRemainingTimeInMillis();
 * ```
 */
export class DefaultInvocationContext implements InvocationContext {
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly deadlineMs: number;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly traceId: string | undefined;
  readonly clientContext: ClientContext | undefined;
  readonly identity: CognitoIdentity | undefined;
  readonly tenantId: string | undefined;
  callbackWaitsForEmptyEventLoop: boolean;
  /** Milliseconds left before the deadline; zero or negative once it has passed. */
  readonly getRemainingTimeInMillis: () => number;
  /** Replaced by the runtime loop with one bound to this invocation before the handler runs. */
  done: (error?: Error | string | null, result?: unknown) => void = completionOutsideInvocation;
  /** Replaced by the runtime loop with one bound to this invocation before the handler runs. */
  succeed: (result?: unknown) => void = completionOutsideInvocation;
  /** Replaced by the runtime loop with one bound to this invocation before the handler runs. */
  fail: (error: Error | string) => void = completionOutsideInvocation;

  // Positional on purpose: this runs once per invocation and an options object would be one more allocation.
  constructor(
    metadata: FunctionMetadata,
    clock: Clock,
    awsRequestId: string,
    invokedFunctionArn: string,
    deadlineMs: number,
    traceId: string | undefined,
    clientContext: ClientContext | undefined,
    identity: CognitoIdentity | undefined,
    tenantId: string | undefined,
  ) {
    this.awsRequestId = awsRequestId;
    this.invokedFunctionArn = invokedFunctionArn;
    this.deadlineMs = deadlineMs;
    this.functionName = metadata.functionName;
    this.functionVersion = metadata.functionVersion;
    this.memoryLimitInMB = metadata.memoryLimitInMB;
    this.logGroupName = metadata.logGroupName;
    this.logStreamName = metadata.logStreamName;
    this.traceId = traceId;
    this.clientContext = clientContext;
    this.identity = identity;
    this.tenantId = tenantId;
    this.callbackWaitsForEmptyEventLoop = true;
    // Bound, not an arrow: still works detached or on a spread copy, and V8's unoptimised code does
    // not keep a bound function's invocation alive the way it did a fresh closure stored here.
    this.getRemainingTimeInMillis = remainingMillis.bind(clock, deadlineMs);
  }
}

function remainingMillis(this: Clock, deadlineMs: number): number {
  return deadlineMs - this.now();
}

// Shared (not a closure per context): a context built outside the loop has nothing to complete.
function completionOutsideInvocation(): never {
  throw new Error('context.done/succeed/fail are only available while the runtime loop runs the handler');
}
