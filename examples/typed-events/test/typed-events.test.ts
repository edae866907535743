import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:012345678912:orders',
    awsRegion: 'us-east-1',
  };
}

function jsonLines(runtime: SpawnedRuntime): Array<Record<string, unknown>> {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('examples/typed-events', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'orders' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('answers a valid SQS event, reporting the message that is not an order as a batch item failure', async () => {
    const runtime = emulator.spawn({
      command: bootstrap,
      env: { _HANDLER: 'orders.process', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord('m-1', { orderId: 'o-1', quantity: 2 }),
        sqsRecord('m-2', { orderId: 'o-2', quantity: 0 }),
      ],
    };

    const result = await emulator.invoke(event);

    expect(result.status).toBe('success');
    expect(result.json()).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(jsonLines(runtime)).toContainEqual(
      expect.objectContaining({ message: 'order accepted', orderId: 'o-1', requestId: result.requestId }),
    );
  });

  it('answers an event that does not match the schema with Runtime.InvalidEvent naming the path, without calling the handler', async () => {
    const runtime = emulator.spawn({
      command: bootstrap,
      env: { _HANDLER: 'orders.process', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
    const record = { ...sqsRecord('m-1', { orderId: 'o-1', quantity: 1 }), messageId: 42 };
    const { body: _body, ...recordWithoutBody } = sqsRecord('m-2', {});

    const invalid = await emulator.invoke({ Records: [record, recordWithoutBody] });
    const valid = await emulator.invoke({ Records: [sqsRecord('m-3', { orderId: 'o-3', quantity: 1 })] });

    expect(invalid.status).toBe('error');
    expect(invalid.errorType).toBe('Runtime.InvalidEvent');
    expect(invalid.error?.errorType).toBe('Runtime.InvalidEvent');
    expect(invalid.error?.errorMessage).toBe(
      'Invalid event (2 issues): Records.0.messageId: Invalid type: Expected string but received 42; ' +
        'Records.1.body: Invalid key: Expected "body" but received undefined',
    );
    // The handler logs "processing order batch" first thing: only the valid invocation has it.
    const batches = jsonLines(runtime).filter((line) => line.message === 'processing order batch');
    expect(batches.map((line) => line.requestId)).toEqual([valid.requestId]);
    expect(valid.json()).toEqual({ batchItemFailures: [] });
  });

  it('runs the handler _HANDLER names when the artifact holds several', async () => {
    emulator.spawn({ command: bootstrap, env: { _HANDLER: 'orders.get' } });
    const event = {
      version: '2.0',
      routeKey: 'GET /orders/{orderId}',
      rawPath: '/orders/o-9',
      pathParameters: { orderId: 'o-9' },
    } as Partial<APIGatewayProxyEventV2>;

    const result = await emulator.invoke(event);

    expect(result.status).toBe('success');
    expect(result.json()).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'o-9', status: 'shipped' }),
    });
  });

  it('reports an unknown _HANDLER to /init/error as Runtime.HandlerNotFound and exits 1', async () => {
    const runtime = emulator.spawn({ command: bootstrap, env: { _HANDLER: 'orders.delete' } });

    const result = await emulator.invoke({});
    const exit = await runtime.waitForExit();

    expect(result.via).toBe('init-error');
    expect(result.errorType).toBe('Runtime.HandlerNotFound');
    expect(emulator.initError).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage:
        'No handler named "orders.delete" (from _HANDLER); known handlers: orders.process, orders.get',
    });
    expect(exit.code).toBe(1);
  });
});
