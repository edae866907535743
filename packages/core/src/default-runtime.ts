import type { Initializer, InvocationContext, StreamingInitializer } from '@lambda-runtime/api';
import { ContainerComposition } from './composition-root.js';
import { LambdaRuntime } from './lambda-runtime.js';
import type { LambdaRuntimeOptions } from './runtime-lifecycle.js';

/**
 * A runtime with every default wired (socket transport, default context builder and codec, the
 * synchronous logger, environment from `process.env`) in a fresh container of the composition root. Chain
 * overrides, then call `run()`.
 *
 * @param initialize - runs once before the first invocation and returns the handler.
 * @param options - process-level behaviour (exit function, console routing, signal handling).
 *
 * @example
 * ```ts
 * import { defaultRuntime } from '@lambda-runtime/core';
 *
 * defaultRuntime(async ({ env, logger }) => {
 *   const table = await openTable(env);
 *   return async (event, context) => ({ id: context.awsRequestId, item: await table.get(event.key) });
 * }).run();
 * ```
 *
 * Handlers typed with `@types/aws-lambda` fit as they are (the context passed is assignable to its
 * `Context`); naming the event and result types checks the handler against them:
 *
 * @example
 * ```ts
 * import type { SQSBatchResponse, SQSEvent, SQSHandler } from 'aws-lambda';
 *
 * declare const processBatch: SQSHandler;
 * defaultRuntime(() => processBatch).run();
 * defaultRuntime<SQSEvent, SQSBatchResponse>(() => async (event) => ({ batchItemFailures: [] })).run();
 * ```
 */
export function defaultRuntime<
  // biome-ignore lint/suspicious/noExplicitAny: like the managed runtime's handlers, events are untyped unless the caller names a type
  TEvent = any,
  TResult = unknown,
  TContext extends InvocationContext = InvocationContext,
>(
  initialize: Initializer<TEvent, TResult, TContext>,
  options?: LambdaRuntimeOptions,
): LambdaRuntime<TContext>;
/**
 * The same, for an initializer that returns a streaming handler (`streamingHandler(...)` of
 * `@lambda-runtime/handlers`, or `awslambda.streamifyResponse(...)`): each invocation is answered
 * through a response stream (docs/runtime-api.md section 7).
 *
 * @example
 * ```ts
 * defaultRuntime(() => streamingHandler(async function* (event) { yield 'hello'; })).run();
 * ```
 */
export function defaultRuntime<
  // biome-ignore lint/suspicious/noExplicitAny: as above
  TEvent = any,
  TContext extends InvocationContext = InvocationContext,
>(
  initialize: StreamingInitializer<TEvent, TContext>,
  options?: LambdaRuntimeOptions,
): LambdaRuntime<TContext>;
export function defaultRuntime<TContext extends InvocationContext>(
  initialize: Initializer<never, unknown, TContext> | StreamingInitializer<never, TContext>,
  options: LambdaRuntimeOptions = {},
): LambdaRuntime<TContext> {
  return new LambdaRuntime<TContext>(
    // The loop tells a streaming handler by its mark, whatever its static type.
    initialize as unknown as Initializer<unknown, unknown, TContext>,
    new ContainerComposition(),
    options,
  );
}
