import {
  type Callback,
  type Handler,
  HandlerNeverSettledError,
  type InvocationContext,
  type Logger,
  RELEASE_CONTEXT,
} from '@lambda-runtime/api';

/** How one handler call ended. */
export interface HandlerOutcome {
  readonly failed: boolean;
  /** The result when `failed` is false, the error otherwise. */
  readonly value: unknown;
  /**
   * The handler completed through `callback` or `context.done`/`succeed`/`fail` while
   * `context.callbackWaitsForEmptyEventLoop` was true: as on the managed runtime, the next
   * invocation is fetched only once the event loop is empty.
   */
  readonly waitForEmptyEventLoop: boolean;
}

/**
 * One handler call: the context handed to the handler, with `done`/`succeed`/`fail` bound to this
 * call, and the outcome that its first completion settles.
 *
 * The completion functions are assigned onto the context the builder returned. A context that
 * refuses them (frozen, sealed without them, a proxy whose `set` fails) is not an error: the handler
 * then gets a copy with the same prototype, the same own properties and the same integrity level
 * (a frozen context gives a frozen copy), plus the completion functions. On a frozen copy
 * `callbackWaitsForEmptyEventLoop` stays settable, as the managed runtime promises handlers.
 *
 * @example
 * ```ts
 * const call = new HandlerCall(contextBuilder.build(invocation), logger); // throws if not an object
 * const eventLoopDrained = callHandler(handler, event, call);
 * const { failed, value } = await call.outcome;
 * ```
 */
export class HandlerCall {
  /** Settled by the first completion. */
  readonly outcome: Promise<HandlerOutcome>;
  /** What the handler receives: the built context, or its copy when it refused the completions. */
  readonly context: InvocationContext;
  returned: unknown;
  returnedUndefined = false;
  /** `callbackWaitsForEmptyEventLoop` of a frozen context's copy (an accessor reads and writes it). */
  waitsForEmptyEventLoop = true;
  readonly #logger: Logger;
  #releaseDeferred = false;
  #released = false;
  #settle: ((outcome: HandlerOutcome) => void) | undefined;

  /**
   * @throws TypeError when `built` is not an object, or is a promise (a context builder bug; the loop
   * answers `/error`).
   */
  constructor(built: unknown, logger: Logger) {
    this.#logger = logger;
    this.outcome = new Promise<HandlerOutcome>((resolve) => {
      this.#settle = resolve;
    });
    this.context = withCompletions(built, this);
  }

  /**
   * For a streaming handler, whose invocation is answered when its stream ends rather than when
   * the handler settles: completing no longer releases the context; {@link release} does.
   */
  deferRelease(): void {
    this.#releaseDeferred = true;
  }

  /** Lets the context go of what it held for the invocation (the timer behind `context.signal`); once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.context[RELEASE_CONTEXT]?.();
    } catch (error) {
      // A custom context's release is not the invocation's outcome: log it and answer anyway.
      this.#logger.warn(
        { requestId: this.context.awsRequestId, error },
        'The invocation context failed to release its resources',
      );
    }
  }

  get settled(): boolean {
    return this.#settle === undefined;
  }

  complete(failed: boolean, value: unknown, via: string, viaCallback: boolean): void {
    const settle = this.#settle;
    if (settle === undefined) {
      this.#logger.warn(
        { requestId: this.context.awsRequestId, via },
        `Ignored ${via}: this invocation was already completed (the first completion wins)`,
      );
      return;
    }
    this.#settle = undefined;
    // Answered from here on: the context lets go of what it held for the invocation (the timer
    // behind context.signal), before the answer is posted and the environment may be frozen.
    if (!this.#releaseDeferred) this.release();
    settle({
      failed,
      value,
      waitForEmptyEventLoop: viaCallback && this.context.callbackWaitsForEmptyEventLoop !== false,
    });
  }
}

/**
 * Calls a handler in any of the managed Node.js runtime's styles; `call.outcome` settles once, on
 * the first completion: a returned promise, a returned plain value, `callback(error, result)`,
 * `context.done(error, result)`, `context.succeed(result)` or `context.fail(error)`. A later
 * completion is ignored with a warning.
 *
 * @returns the function to call when the event loop ran empty before the call completed: nothing
 * is left that could complete it. A plain function that returned `undefined` then succeeds with it;
 * a pending promise or an unanswered callback fails with {@link HandlerNeverSettledError}.
 */
export function callHandler(handler: Handler, event: unknown, call: HandlerCall): () => void {
  // Bound to this call, never a fresh arrow: see withCompletions.
  const callback: Callback = nodeStyleCompletion.bind(call, 'callback');
  let returned: unknown;
  try {
    returned = handler(event, call.context, callback);
  } catch (error) {
    call.complete(true, error, 'throw', false);
    return noop;
  }
  call.returned = returned;
  if (isThenable(returned)) {
    returned.then(resolvedCompletion.bind(call), rejectedCompletion.bind(call));
  } else if (returned !== undefined) {
    call.complete(false, returned, 'return', false);
  } else {
    // A plain function may still complete later through context.succeed (pre-callback style), or a
    // callback-style one through its callback; if neither happens before the loop drains, a
    // function without a callback parameter simply returned nothing.
    call.returnedUndefined = handler.length < 3;
  }
  return eventLoopDrained.bind(call);
}

/** The context with this call's completion functions: the built object itself when it takes them. */
function withCompletions(built: unknown, call: HandlerCall): InvocationContext {
  if (built === null || (typeof built !== 'object' && typeof built !== 'function')) {
    throw new TypeError(
      `The context builder returned ${built === null ? 'null' : typeof built} instead of a context object`,
    );
  }
  if (typeof (built as { then?: unknown }).then === 'function') {
    throw new TypeError(
      'The context builder returned a promise; ContextBuilder.build must return the context itself',
    );
  }
  const context = built as InvocationContext;
  // Shared functions bound to this call, never fresh arrows: V8's unoptimised code kept a fresh
  // closure stored on the context (and everything it reaches) alive across scavenges, which
  // promoted every invocation's garbage until a full GC. Own functions, not prototype methods:
  // legacy code passes them around detached.
  const done = nodeStyleCompletion.bind(call, 'context.done');
  const succeed = succeedCompletion.bind(call);
  const fail = failCompletion.bind(call);
  try {
    context.done = done;
    context.succeed = succeed;
    context.fail = fail;
    if (context.done === done && context.succeed === succeed && context.fail === fail) return context;
  } catch {
    // Frozen, sealed or a proxy that refuses: the copy below carries them instead.
  }
  return copyWith(context, call, done, succeed, fail);
}

function copyWith(
  context: InvocationContext,
  call: HandlerCall,
  done: InvocationContext['done'],
  succeed: InvocationContext['succeed'],
  fail: InvocationContext['fail'],
): InvocationContext {
  const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(context);
  descriptors.done = { value: done, writable: true, enumerable: true, configurable: true };
  descriptors.succeed = { value: succeed, writable: true, enumerable: true, configurable: true };
  descriptors.fail = { value: fail, writable: true, enumerable: true, configurable: true };
  const frozen = Object.isFrozen(context);
  if (frozen) {
    // The one field handlers may set (`= false` to answer without waiting for an empty event loop)
    // becomes an accessor, which freezing leaves working.
    call.waitsForEmptyEventLoop = context.callbackWaitsForEmptyEventLoop !== false;
    descriptors.callbackWaitsForEmptyEventLoop = {
      get: readWaitsForEmptyEventLoop.bind(call),
      set: writeWaitsForEmptyEventLoop.bind(call),
      enumerable: true,
      configurable: true,
    };
  }
  const copy = Object.create(
    Object.getPrototypeOf(context) as object | null,
    descriptors,
  ) as InvocationContext;
  // The builder's choice of immutability holds for the copy too.
  if (frozen) Object.freeze(copy);
  else if (Object.isSealed(context)) Object.seal(copy);
  else if (!Object.isExtensible(context)) Object.preventExtensions(copy);
  return copy;
}

function readWaitsForEmptyEventLoop(this: HandlerCall): boolean {
  return this.waitsForEmptyEventLoop;
}

function writeWaitsForEmptyEventLoop(this: HandlerCall, value: boolean): void {
  this.waitsForEmptyEventLoop = value;
}

// `callback(error, result)` and `context.done(error, result)` mean the same; only the warning differs.
function nodeStyleCompletion(this: HandlerCall, via: string, error?: unknown, result?: unknown): void {
  if (error === null || error === undefined) this.complete(false, result, via, true);
  else this.complete(true, error, via, true);
}

function succeedCompletion(this: HandlerCall, result?: unknown): void {
  this.complete(false, result, 'context.succeed', true);
}

function failCompletion(this: HandlerCall, error: unknown): void {
  this.complete(true, error ?? new Error('context.fail was called without an error'), 'context.fail', true);
}

function resolvedCompletion(this: HandlerCall, result: unknown): void {
  this.complete(false, result, 'promise resolution', false);
}

function rejectedCompletion(this: HandlerCall, error: unknown): void {
  this.complete(true, error, 'promise rejection', false);
}

function eventLoopDrained(this: HandlerCall): void {
  if (this.settled) return;
  if (this.returnedUndefined) {
    this.complete(false, undefined, 'return', false);
    return;
  }
  this.complete(
    true,
    new HandlerNeverSettledError(
      isThenable(this.returned)
        ? 'The event loop is empty but the promise returned by the handler never settled'
        : 'The event loop is empty but the handler never called its callback (or context.done/succeed/fail)',
    ),
    'event loop drain',
    false,
  );
}

/** A promise or any other object with a `then` method (what `await` treats as a promise). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function noop(): void {}
