// An API Gateway (HTTP API) handler written for the managed Node.js 20 runtime: ESM, middy 6,
// Powertools Logger with its middy middleware. Nothing here knows about lambda-runtime.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { createError } from '@middy/util';

const logger = new Logger({ serviceName: 'orders-api' });

// A team's own middleware: records when its before/after hooks run, so the order middy calls the
// middlewares in is visible in the response (befores in `use` order, afters in reverse).
const trail = (name) => ({
  before: (request) => {
    request.internal.trail = [...(request.internal.trail ?? []), `${name}:before`];
  },
  after: (request) => {
    request.internal.trail = [...request.internal.trail, `${name}:after`];
    request.response.headers = { ...request.response.headers, 'x-trail': request.internal.trail.join(',') };
  },
});

const createOrder = async (event, context) => {
  const { item, quantity } = event.body;
  if (!Number.isInteger(quantity) || quantity < 1) {
    throw createError(422, 'quantity must be a positive integer');
  }
  if (item === 'explode') {
    // Not an http error: http-error-handler answers 500 without exposing the message.
    throw new Error('inventory service unreachable');
  }
  logger.info('order created', { item, quantity });
  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      item,
      quantity,
      requestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
  };
};

export const handler = middy(createOrder)
  .use(trail('outer'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrorHandler())
  .use(httpJsonBodyParser())
  .use(trail('inner'));
