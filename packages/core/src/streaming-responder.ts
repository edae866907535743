import {
  type LambdaEnvironment,
  type Logger,
  MAX_STREAMED_RESPONSE_BYTES,
  type Transport,
} from '@lambda-runtime/api';
import type { RuntimeApiClient } from './runtime-api-client.js';
import { StreamFallbackTransport } from './stream-fallback-transport.js';
import { StreamingAnswer, type StreamingAnswerHooks } from './streaming-answer.js';

/**
 * The variable that sets the largest streamed response, in bytes (default 200 MiB, the platform's
 * limit): past it the runtime cuts the stream and ends it with `Function.ResponseSizeTooLarge`.
 */
export const MAX_STREAMED_RESPONSE_BYTES_ENV = 'LAMBDA_RUNTIME_MAX_STREAMED_RESPONSE_BYTES';

/** Options of {@link StreamingResponder}. */
export interface StreamingResponderOptions {
  /**
   * The largest streamed response in bytes (default: {@link MAX_STREAMED_RESPONSE_BYTES_ENV}, else
   * 200 MiB). Counted as the bytes leave, so nothing is held to check it.
   */
  readonly maxResponseBytes?: number;
}

/**
 * Answers the invocations of a streaming handler, one {@link StreamingAnswer} each, with the
 * settings of one loop. Built when a loop starts with a streaming handler; says once, then, when
 * the transport cannot stream (checklist item 39), in which case each response is buffered (up to
 * 6 MiB) and posted whole.
 *
 * @example
 * ```ts
 * const responder = new StreamingResponder(transport, client, logger, environment);
 * const answer = responder.answer(requestId, streamingHighWaterMark(handler), { fail, answering });
 * await answer.run(handler, event, call);
 * ```
 */
export class StreamingResponder {
  /** The limit in force, in bytes. */
  readonly maxResponseBytes: number;
  readonly #client: RuntimeApiClient;
  readonly #logger: Logger;
  readonly #redact: (text: string) => string;

  constructor(
    transport: Transport,
    client: RuntimeApiClient,
    logger: Logger,
    environment: LambdaEnvironment,
    options: StreamingResponderOptions = {},
  ) {
    this.#client = client;
    this.#logger = logger;
    this.#redact = (text) => environment.redact(text);
    this.maxResponseBytes = options.maxResponseBytes ?? readLimit(environment, logger);
    if (transport instanceof StreamFallbackTransport) {
      const { requests, streams } = transport.names;
      logger.info(
        { transport: requests, streamingTransport: streams },
        `The transport (${requests}) cannot stream responses: streamed responses go through ${streams}, on a connection of their own each`,
      );
    } else if (transport.openStream === undefined) {
      logger.warn(
        { transport: transport.constructor?.name },
        `The transport (${transport.constructor?.name ?? 'unnamed'}) cannot stream responses (it has no openStream): streaming handlers are answered buffered, up to 6 MiB, after they end`,
      );
    }
  }

  /** The answer for one invocation; see {@link StreamingAnswer}. */
  answer(requestId: string, highWaterMark: number | undefined, hooks: StreamingAnswerHooks): StreamingAnswer {
    return new StreamingAnswer(
      requestId,
      {
        client: this.#client,
        logger: this.#logger,
        maxResponseBytes: this.maxResponseBytes,
        redact: this.#redact,
      },
      hooks,
      highWaterMark,
    );
  }
}

function readLimit(environment: LambdaEnvironment, logger: Logger): number {
  const raw = environment.get(MAX_STREAMED_RESPONSE_BYTES_ENV);
  if (raw === undefined || raw.trim() === '') return MAX_STREAMED_RESPONSE_BYTES;
  const value = Number(raw.trim());
  if (Number.isSafeInteger(value) && value > 0) return value;
  logger.warn(
    { [MAX_STREAMED_RESPONSE_BYTES_ENV]: raw },
    `${MAX_STREAMED_RESPONSE_BYTES_ENV} must be a positive whole number of bytes; using ${MAX_STREAMED_RESPONSE_BYTES}`,
  );
  return MAX_STREAMED_RESPONSE_BYTES;
}
