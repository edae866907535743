import {
  type ClientContext,
  type Clock,
  type CognitoIdentity,
  type InvocationContext,
  RELEASE_CONTEXT,
} from '@lambda-runtime/api';
import { DeadlineSignal } from './deadline-signal.js';

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
 * `signal` is a prototype getter instead: its `AbortController` and timer are made on first read
 * only, so a handler that never reads it pays two private fields per context. The runtime loop calls
 * `[RELEASE_CONTEXT]()` once the invocation is answered, which clears the timer.
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
  readonly #clock: Clock;
  /** Made on the first read of `signal`; {@link RELEASED} when released before that. */
  #deadline: DeadlineSignal | typeof RELEASED | undefined = undefined;

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
    this.#clock = clock;
  }

  /** See {@link InvocationContext.signal}: aborts at `deadlineMs`; made on first read. */
  get signal(): AbortSignal {
    if (!(#deadline in this)) return foreignSignal(this);
    const deadline = this.#deadline;
    if (deadline instanceof DeadlineSignal) return deadline.signal;
    // First read after the invocation was answered: a signal that never aborts, and no timer.
    if (deadline === RELEASED) return new AbortController().signal;
    const made = new DeadlineSignal(this.awsRequestId, this.deadlineMs, this.#clock);
    this.#deadline = made;
    return made.signal;
  }

  /**
   * Clears the timer behind `signal`, which then never aborts (unless it already has). The runtime
   * loop calls this once the invocation is answered.
   */
  [RELEASE_CONTEXT](): void {
    if (!(#deadline in this)) {
      releaseForeign(this);
      return;
    }
    const deadline = this.#deadline;
    if (deadline instanceof DeadlineSignal) deadline.clear();
    else this.#deadline = RELEASED;
  }
}

const RELEASED = Symbol('released');

/**
 * The deadlines of objects that inherit from the class without being built by it, which have no
 * private fields: the copy the runtime loop makes of a context a custom builder froze (same
 * prototype, same own properties).
 */
const foreignDeadlines = new WeakMap<object, DeadlineSignal | typeof RELEASED>();

function foreignSignal(context: DefaultInvocationContext): AbortSignal {
  const deadline = foreignDeadlines.get(context);
  if (deadline instanceof DeadlineSignal) return deadline.signal;
  if (deadline === RELEASED) return new AbortController().signal;
  // The clock is private to the original; the copy's own getRemainingTimeInMillis still reads it.
  const clock: Clock = { now: () => context.deadlineMs - context.getRemainingTimeInMillis() };
  const made = new DeadlineSignal(context.awsRequestId, context.deadlineMs, clock);
  foreignDeadlines.set(context, made);
  return made.signal;
}

function releaseForeign(context: DefaultInvocationContext): void {
  const deadline = foreignDeadlines.get(context);
  if (deadline instanceof DeadlineSignal) deadline.clear();
  else foreignDeadlines.set(context, RELEASED);
}

function remainingMillis(this: Clock, deadlineMs: number): number {
  return deadlineMs - this.now();
}

// Shared (not a closure per context): a context built outside the loop has nothing to complete.
function completionOutsideInvocation(): never {
  throw new Error('context.done/succeed/fail are only available while the runtime loop runs the handler');
}
