import { defaultRuntime } from '@lambda-runtime/core';

/** Thrown when the caller asks the echo function to fail: `{ "fail": "why" }`. */
export class EchoRequestedError extends Error {
  override readonly name = 'EchoRequestedError';
}

/** Thrown for an empty-string event: there is nothing to echo. */
export class EmptyInputError extends Error {
  override readonly name = 'EmptyInputError';
}

interface EchoReply {
  message: string;
  requestId: string;
  event: unknown;
}

defaultRuntime(({ env, logger }) => {
  logger.info({ functionName: env.functionName }, 'echo function initialised');

  return (event: unknown, context): EchoReply => {
    if (event === '') {
      throw new EmptyInputError('Empty input, nothing to echo.');
    }
    if (typeof event === 'object' && event !== null && 'fail' in event) {
      throw new EchoRequestedError(`Failing as asked: ${String(event.fail)}`);
    }
    logger.info('echoing');
    return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
  };
}).run();
