import type { LambdaEnvironment } from './environment.js';
import type { InvocationContext } from './invocation.js';
import type { Logger } from './logger.js';

/**
 * The completion callback of callback-style handlers, as in the managed Node.js runtime: an error
 * (anything but `null`/`undefined`) fails the invocation, otherwise `result` is the response.
 */
export type Callback<TResult = unknown> = (error?: Error | string | null, result?: TResult) => void;

/**
 * A function handler: receives the decoded event and the context, returns the result or a promise
 * of it. Throwing or rejecting reports an invocation error. Handlers written for the managed
 * runtime may instead take a third `callback` argument (or call `context.succeed`/`fail`/`done`);
 * the first completion wins.
 *
 * Handlers typed with `@types/aws-lambda` (`Handler<SQSEvent, SQSBatchResponse>`, `SQSHandler`, ...)
 * are assignable to this type, because {@link InvocationContext} is assignable to its `Context`.
 *
 * @example
 * ```ts
 * const handler: Handler<{ key: string }, { id: string }> = async (event, context) => ({ id: context.awsRequestId });
 * const legacy: Handler<{ key: string }, string> = (event, context, callback) => callback(null, event.key);
 * ```
 */
export type Handler<
  TEvent = unknown,
  TResult = unknown,
  TContext extends InvocationContext = InvocationContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: `void`, not `undefined`: callback-style handlers and aws-lambda's `Handler` (`=> void | Promise<T>`) must stay assignable
> = (event: TEvent, context: TContext, callback: Callback<TResult>) => void | TResult | Promise<TResult>;

/** What the one-time initializer gets. */
export interface InitializeOptions {
  /** The validated reserved environment, plus `get(name)` for the function's own variables. */
  readonly env: LambdaEnvironment;
  readonly logger: Logger;
}

/**
 * Runs once before the first invocation and returns the handler. May be async and may throw: the
 * failure is reported to `/runtime/init/error` and the process exits non-zero.
 *
 * @example
 * ```ts
 * const initialize: Initializer = async ({ env }) => {
 *   const table = await openTable(env.get('TABLE_NAME'));
 *   return async (event) => table.get(event);
 * };
 * ```
 */
export type Initializer<
  TEvent = unknown,
  TResult = unknown,
  TContext extends InvocationContext = InvocationContext,
> = (
  options: InitializeOptions,
) => Handler<TEvent, TResult, TContext> | Promise<Handler<TEvent, TResult, TContext>>;

/**
 * Polls `/next`, runs the handler, answers `/response` or `/error`, until stopped or a fatal
 * Runtime API failure. Every invocation received is answered exactly once: a failure while it is
 * prepared (context, event decoding) or run is answered on `/error` for its id, and the loop goes on.
 *
 * @example
 * ```ts
 * await loop.run(async (event, context) => ({ ok: true, id: context.awsRequestId }));
 * ```
 */
export interface RuntimeLoop<TContext extends InvocationContext = InvocationContext> {
  /**
   * Resolves after {@link RuntimeLoop.stop} once the current invocation is answered; rejects with a
   * `LambdaRuntimeError` on a fatal failure (5xx, lost connection, protocol violation).
   */
  run(handler: Handler<unknown, unknown, TContext>): Promise<void>;
  /** Asks the loop to finish the current invocation and not poll again. */
  stop(): void;
  /**
   * Answers the invocation in flight (if not answered yet) with `error` on `/error` and stops the
   * loop; used when an uncaught exception or unhandled rejection escapes the handler. Resolves
   * whether an answer was posted. Optional: without it such a crash only ends the process.
   */
  failInFlight?(error: unknown): Promise<boolean>;
}
