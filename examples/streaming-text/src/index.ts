import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRuntime } from '@lambda-runtime/core';
import { streamingHandler } from '@lambda-runtime/handlers';

/** What the caller asks for. */
interface GenerateRequest {
  /** The text to "generate" from: its words come back one token at a time. */
  readonly prompt?: string;
  /** Pause between tokens, as a model takes time per token (default 25 ms). */
  readonly delayMs?: number;
  /** Fail after this many tokens: the caller then gets the tokens so far and the error. */
  readonly failAfter?: number;
}

/** Thrown when asked to (`failAfter`): a generator that breaks mid-way. */
export class GenerationInterruptedError extends Error {
  override readonly name = 'GenerationInterruptedError';
}

const DEFAULT_PROMPT = 'Streaming lets a function answer while it is still working on the rest.';

defaultRuntime(({ logger }) => {
  logger.info('streaming-text function initialised');

  // Each yielded token is written to the response stream as it comes, with backpressure: the
  // caller sees the first word while the rest is still being "generated".
  return streamingHandler(async function* (event: GenerateRequest, responseStream, context) {
    responseStream.setContentType('text/plain; charset=utf-8');
    const tokens = (event.prompt ?? DEFAULT_PROMPT).split(/\s+/).filter((token) => token !== '');
    logger.info({ tokens: tokens.length }, 'generating');
    for (const [index, token] of tokens.entries()) {
      if (event.failAfter === index) {
        throw new GenerationInterruptedError(`Interrupted after ${index} tokens (${context.awsRequestId})`);
      }
      await sleep(event.delayMs ?? 25);
      yield index === 0 ? token : ` ${token}`;
    }
    yield '\n';
  });
}).run();
