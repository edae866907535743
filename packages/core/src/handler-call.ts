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
  let settle: (outcome: HandlerOutcome) => void = () => undefined;
  const outcome = new Promise<HandlerOutcome>((resolve) => {
    settle = resolve;
  });
  let settled = false;
  let returnedUndefined = false;

  const complete = (failed: boolean, value: unknown, via: string, viaCallback: boolean): void => {
    if (settled) {
      logger.warn(
        { requestId: context.awsRequestId, via },
        `Ignored ${via}: this invocation was already completed (the first completion wins)`,
      );
      return;
    }
    settled = true;
    settle({
      failed,
      value,
      waitForEmptyEventLoop: viaCallback && context.callbackWaitsForEmptyEventLoop !== false,
    });
  };

  // `callback(error, result)` and `context.done(error, result)` mean the same; only the warning differs.
  const nodeStyle =
    (via: string): Callback =>
    (error, result) => {
      if (error === null || error === undefined) complete(false, result, via, true);
      else complete(true, error, via, true);
    };
  const callback = nodeStyle('callback');
  // Own closures, not prototype methods: legacy code passes them around detached.
  context.done = nodeStyle('context.done');
  context.succeed = (result) => complete(false, result, 'context.succeed', true);
  context.fail = (error) =>
    complete(true, error ?? new Error('context.fail was called without an error'), 'context.fail', true);

  let returned: unknown;
  try {
    returned = handler(event, context, callback);
  } catch (error) {
    complete(true, error, 'throw', false);
    return { outcome, eventLoopDrained: noop };
  }
  if (isThenable(returned)) {
    returned.then(
      (result) => complete(false, result, 'promise resolution', false),
      (error: unknown) => complete(true, error, 'promise rejection', false),
    );
  } else if (returned !== undefined) {
    complete(false, returned, 'return', false);
  } else {
    // A plain function may still complete later through context.succeed (pre-callback style), or a
    // callback-style one through its callback; if neither happens before the loop drains, a
    // function without a callback parameter simply returned nothing.
    returnedUndefined = handler.length < 3;
  }

  return {
    outcome,
    eventLoopDrained: () => {
      if (settled) return;
      if (returnedUndefined) {
        complete(false, undefined, 'return', false);
        return;
      }
      complete(
        true,
        new HandlerNeverSettledError(
          isThenable(returned)
            ? 'The event loop is empty but the promise returned by the handler never settled'
            : 'The event loop is empty but the handler never called its callback (or context.done/succeed/fail)',
        ),
        'event loop drain',
        false,
      );
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function noop(): void {}
