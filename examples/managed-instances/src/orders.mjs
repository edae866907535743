// A handler written for the managed Node.js runtime of Lambda Managed Instances, with Powertools for
// AWS Lambda as its documentation shows it: one Logger, Tracer and Metrics per module, shared by
// every invocation running at once. Powertools keeps what belongs to one invocation (the context
// added to the logger, appended keys, stored metrics) in `globalThis.awslambda.InvokeStore`, which
// the runtime installs and fills for each invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const logger = new Logger({ serviceName: 'orders' });
const tracer = new Tracer({ serviceName: 'orders' });
const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders' });

export const handler = async (event, context) => {
  logger.addContext(context);
  logger.appendKeys({ orderId: event.orderId });
  logger.info('order received');
  metrics.addMetric('itemsOrdered', MetricUnit.Count, event.items);
  metrics.addMetadata('orderId', event.orderId);
  const traceBefore = tracer.getRootXrayTraceId();

  // Other invocations run while this one waits (a call to a database, say).
  await new Promise((resolve) => setTimeout(resolve, event.waitMs ?? 0));

  logger.info('order stored');
  metrics.publishStoredMetrics();
  return {
    orderId: event.orderId,
    requestId: context.awsRequestId,
    traceBefore,
    traceAfter: tracer.getRootXrayTraceId(),
    sampled: tracer.isTraceSampled(),
  };
};
