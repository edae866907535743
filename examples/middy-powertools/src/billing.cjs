// A CommonJS handler written for the managed Node.js 20 runtime with Powertools Logger, injecting
// the Lambda context by hand (`logger.addContext`), as teams without middy or decorators do.
const { Logger } = require('@aws-lambda-powertools/logger');

const logger = new Logger({ serviceName: 'billing', logLevel: 'DEBUG' });

exports.handler = async (event, context) => {
  logger.addContext(context);
  logger.debug('charge requested', { amount: event.amount });
  if (!(event.amount > 0)) {
    logger.error('charge rejected', { amount: event.amount });
    throw new RangeError(`amount must be positive, got ${event.amount}`);
  }
  logger.info('charged', { amount: event.amount });
  return { charged: event.amount, requestId: context.awsRequestId };
};

// The pre-async style some older functions still use: Powertools plus a callback.
exports.refund = (event, context, callback) => {
  logger.addContext(context);
  setTimeout(() => {
    logger.warn('refund issued', { amount: event.amount });
    callback(null, { refunded: event.amount });
  }, 10);
};
