import type { StreamingHandler, StreamingHandlerFunction } from '@lambda-runtime/api';
import { HttpResponseStream, streamingHandler } from '@lambda-runtime/handlers';

/**
 * The managed Node.js runtime's opt-out: `1` or `true` and no `awslambda` global is installed
 * (handlers then mark themselves, e.g. with `streamingHandler` of `@lambda-runtime/handlers`).
 */
export const NO_GLOBAL_AWSLAMBDA_ENV = 'AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA';

/** What {@link installAwsLambdaGlobal} puts on `globalThis.awslambda`. */
export interface AwsLambdaStreamingGlobal {
  /**
   * Marks `handler` as streaming, as the managed runtime does; a numeric `highWaterMark` sets the
   * response stream's buffer (anything else is ignored, as there).
   */
  streamifyResponse<THandler extends StreamingHandlerFunction<never, never>>(
    handler: THandler,
    options?: { readonly highWaterMark?: unknown },
  ): THandler & StreamingHandler<never, never>;
  /** `HttpResponseStream.from(responseStream, { statusCode, headers, cookies })`. */
  readonly HttpResponseStream: typeof HttpResponseStream;
}

/**
 * Installs the managed runtime's `awslambda` global (`streamifyResponse`, `HttpResponseStream`)
 * unless `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA` is `1` or `true`, so handlers written for the
 * managed runtime run unchanged. An existing `globalThis.awslambda` object is kept and extended,
 * never replaced: other parts (and other libraries) may hang their own members on it.
 * `@lambda-runtime/core` calls it when it is imported, before any handler module loads.
 *
 * @returns whether the global is installed.
 *
 * @example
 * ```ts
 * installAwsLambdaGlobal();
 * export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
 *   responseStream.end('hello');
 * });
 * ```
 */
export function installAwsLambdaGlobal(env: NodeJS.ProcessEnv = process.env): boolean {
  const optOut = env[NO_GLOBAL_AWSLAMBDA_ENV];
  if (optOut === '1' || optOut === 'true') return false;
  const holder = globalThis as { awslambda?: Record<string, unknown> };
  holder.awslambda ??= {};
  const members: AwsLambdaStreamingGlobal = { streamifyResponse, HttpResponseStream };
  Object.assign(holder.awslambda, members);
  return true;
}

function streamifyResponse<THandler extends StreamingHandlerFunction<never, never>>(
  handler: THandler,
  options?: { readonly highWaterMark?: unknown },
): THandler & StreamingHandler<never, never> {
  const requested = options?.highWaterMark;
  const highWaterMark = typeof requested === 'number' ? Math.trunc(requested) : Number.NaN;
  return streamingHandler(
    handler as StreamingHandlerFunction<never, never>,
    Number.isSafeInteger(highWaterMark) && highWaterMark > 0 ? { highWaterMark } : {},
  ) as THandler & StreamingHandler<never, never>;
}
