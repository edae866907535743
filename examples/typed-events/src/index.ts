import { defaultRuntime } from '@lambda-runtime/core';
import { handlers, validated } from '@lambda-runtime/handlers';
import { getOrder, processOrders, SqsEventSchema } from './orders.js';

// One artifact, two functions: each Lambda function sets _HANDLER to the name it runs.
defaultRuntime(
  handlers({
    'orders.process': { init: ({ logger }) => validated(SqsEventSchema, processOrders(logger)) },
    'orders.get': getOrder,
  }),
).run();
