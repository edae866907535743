import type { Logger } from '@lambda-runtime/api';
import type { StandardSchemaV1 } from '@lambda-runtime/handlers';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Handler,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import * as v from 'valibot';

/**
 * The SQS event envelope. `satisfies` checks the schema against `@types/aws-lambda`: its output
 * must be an `SQSEvent`, so the handler below can keep aws-lambda's own types.
 */
export const SqsEventSchema = v.object({
  Records: v.array(
    v.object({
      messageId: v.string(),
      receiptHandle: v.string(),
      body: v.string(),
      attributes: v.object({
        ApproximateReceiveCount: v.string(),
        SentTimestamp: v.string(),
        SenderId: v.string(),
        ApproximateFirstReceiveTimestamp: v.string(),
        AWSTraceHeader: v.optional(v.string()),
        SequenceNumber: v.optional(v.string()),
        MessageGroupId: v.optional(v.string()),
        MessageDeduplicationId: v.optional(v.string()),
        DeadLetterQueueSourceArn: v.optional(v.string()),
      }),
      messageAttributes: v.record(
        v.string(),
        v.object({
          dataType: v.string(),
          stringValue: v.optional(v.string()),
          binaryValue: v.optional(v.string()),
          stringListValues: v.optional(v.array(v.string())),
          binaryListValues: v.optional(v.array(v.string())),
        }),
      ),
      md5OfBody: v.string(),
      md5OfMessageAttributes: v.optional(v.string()),
      eventSource: v.literal('aws:sqs'),
      eventSourceARN: v.string(),
      awsRegion: v.string(),
    }),
  ),
}) satisfies StandardSchemaV1<unknown, SQSEvent>;

/** One message body: an order line. */
const OrderMessage = v.pipe(
  v.string(),
  v.parseJson(),
  v.object({ orderId: v.string(), quantity: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
);

/**
 * Processes a batch of orders. The envelope is validated before this runs (see `index.ts`); each
 * message body is checked here, and a bad one is reported as a batch item failure so SQS retries
 * only that message.
 */
export function processOrders(logger: Logger): Handler<SQSEvent, SQSBatchResponse> {
  return async (event) => {
    logger.info({ records: event.Records.length }, 'processing order batch');
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const record of event.Records) {
      const order = v.safeParse(OrderMessage, record.body);
      if (order.success) {
        logger.info({ orderId: order.output.orderId, quantity: order.output.quantity }, 'order accepted');
      } else {
        logger.warn({ messageId: record.messageId, problem: order.issues[0].message }, 'order rejected');
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** Looks up one order for `GET /orders/{orderId}` (API Gateway HTTP API, payload format 2.0). */
export const getOrder: Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = async (event) => {
  const orderId = event.pathParameters?.orderId;
  if (orderId === undefined) {
    return { statusCode: 400, body: JSON.stringify({ message: 'orderId is required' }) };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, status: 'shipped' }),
  };
};
