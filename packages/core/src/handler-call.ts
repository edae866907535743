import {
  type Callback,
  type Handler,
  HandlerNeverSettledError,
  type InvocationContext,
  type Logger,
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

/** A running handler call. */
export interface HandlerCall {
  readonly outcome: Promise<HandlerOutcome>;
  /**
   * Called when the event loop ran empty before the call completed: nothing is left that could
   * complete it. A plain function that returned `undefined` succeeds with it; a pending promise or
   * an unanswered callback fails with {@link HandlerNeverSettledError}.
   */
  readonly eventLoopDrained: () => void;
}

/**
 * Calls a handler in any of the managed Node.js runtime's styles and settles once, on the first
 * completion: a returned promise, a returned plain value, `callback(error, result)`,
 * `context.done(error, result)`, `context.succeed(result)` or `context.fail(error)`. A later
 * completion is ignored with a warning.
 */
export function callHandler(
  handler: Handler,
  event: unknown,
  context: InvocationContext,
  logger: Logger,
): HandlerCall {
  const completion = new Completion(context, logger);
  // Every function handed out below is a shared function bound to this call, never a fresh arrow:
  // V8's unoptimised code kept a fresh closure stored on the context (and everything it reaches)
  // alive across scavenges, which promoted every invocation's garbage until a full GC.
  const callback: Callback = nodeStyleCompletion.bind(completion, 'callback');
  // Own functions, not prototype methods: legacy code passes them around detached.
  context.done = nodeStyleCompletion.bind(completion, 'context.done');
  context.succeed = succeedCompletion.bind(completion);
  context.fail = failCompletion.bind(completion);

  let returned: unknown;
  try {
    returned = handler(event, context, callback);
  } catch (error) {
    completion.complete(true, error, 'throw', false);
    return { outcome: completion.outcome, eventLoopDrained: noop };
  }
  completion.returned = returned;
  if (isThenable(returned)) {
    returned.then(resolvedCompletion.bind(completion), rejectedCompletion.bind(completion));
  } else if (returned !== undefined) {
    completion.complete(false, returned, 'return', false);
  } else {
    // A plain function may still complete later through context.succeed (pre-callback style), or a
    // callback-style one through its callback; if neither happens before the loop drains, a
    // function without a callback parameter simply returned nothing.
    completion.returnedUndefined = handler.length < 3;
  }
  return { outcome: completion.outcome, eventLoopDrained: eventLoopDrained.bind(completion) };
}

/** The state of one handler call; the first completion settles {@link Completion.outcome}. */
class Completion {
  readonly outcome: Promise<HandlerOutcome>;
  returned: unknown;
  returnedUndefined = false;
  readonly #context: InvocationContext;
  readonly #logger: Logger;
  #settle: ((outcome: HandlerOutcome) => void) | undefined;

  constructor(context: InvocationContext, logger: Logger) {
    this.#context = context;
    this.#logger = logger;
    this.outcome = new Promise<HandlerOutcome>((resolve) => {
      this.#settle = resolve;
    });
  }

  get settled(): boolean {
    return this.#settle === undefined;
  }

  complete(failed: boolean, value: unknown, via: string, viaCallback: boolean): void {
    const settle = this.#settle;
    if (settle === undefined) {
      this.#logger.warn(
        { requestId: this.#context.awsRequestId, via },
        `Ignored ${via}: this invocation was already completed (the first completion wins)`,
      );
      return;
    }
    this.#settle = undefined;
    settle({
      failed,
      value,
      waitForEmptyEventLoop: viaCallback && this.#context.callbackWaitsForEmptyEventLoop !== false,
    });
  }
}

// `callback(error, result)` and `context.done(error, result)` mean the same; only the warning differs.
function nodeStyleCompletion(this: Completion, via: string, error?: unknown, result?: unknown): void {
  if (error === null || error === undefined) this.complete(false, result, via, true);
  else this.complete(true, error, via, true);
}

function succeedCompletion(this: Completion, result?: unknown): void {
  this.complete(false, result, 'context.succeed', true);
}

function failCompletion(this: Completion, error: unknown): void {
  this.complete(true, error ?? new Error('context.fail was called without an error'), 'context.fail', true);
}

function resolvedCompletion(this: Completion, result: unknown): void {
  this.complete(false, result, 'promise resolution', false);
}

function rejectedCompletion(this: Completion, error: unknown): void {
  this.complete(true, error, 'promise rejection', false);
}

function eventLoopDrained(this: Completion): void {
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function noop(): void {}
