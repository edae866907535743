// The echo function of examples/echo (same handler, same logging) on an explicitly chosen undici
// transport: `.withTransport((origin) => new UndiciTransport({ origin }))`.
import { defaultRuntime } from '@lambda-runtime/core';
import { UndiciTransport } from '@lambda-runtime/transport-undici';

defaultRuntime(({ env, logger }) => {
  logger.info({ functionName: env.functionName }, 'echo function initialised');
  return (event, context) => {
    if (event === '') throw new Error('Empty input, nothing to echo.');
    logger.info('echoing');
    return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
  };
})
  .withTransport((origin) => new UndiciTransport({ origin }))
  .run();
