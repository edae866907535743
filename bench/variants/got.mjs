// The echo function of examples/echo (same handler, same logging) on the got transport. Used
// instead of examples/got-transport, whose handler does not log, so that only the transport differs.
import { defaultRuntime } from '@lambda-runtime/core';
import { GotTransport } from '@lambda-runtime/transport-got';

defaultRuntime(({ env, logger }) => {
  logger.info({ functionName: env.functionName }, 'echo function initialised');
  return (event, context) => {
    if (event === '') throw new Error('Empty input, nothing to echo.');
    logger.info('echoing');
    return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
  };
})
  .withTransport((origin) => new GotTransport({ origin }))
  .run();
