// The function of the Managed Instances benchmark on our runtime: the echo handler of examples/echo
// after awaiting 20 ms of I/O (a timer; BENCH_IO_MS changes it). The runtime picks its mode from the
// environment: one invocation at a time without AWS_LAMBDA_MAX_CONCURRENCY, up to N at once with it.
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRuntime } from '@lambda-runtime/core';

const ioMs = Number(process.env.BENCH_IO_MS ?? '20');

defaultRuntime(({ env, logger }) => {
  logger.info({ functionName: env.functionName }, 'concurrency bench function initialised');
  return async (event, context) => {
    await sleep(ioMs);
    logger.info('echoing');
    return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
  };
}).run();
