import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  S3Event,
  SNSEvent,
  SQSEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SAMPLE_EVENT_KINDS, sampleEvent } from '../src/sample-events.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = promisify(execFile);

async function lambdaDev(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('sampleEvent', () => {
  it('keeps every ARN, domain and awsRegion in the one region it was given', () => {
    const events = SAMPLE_EVENT_KINDS.map((kind) =>
      JSON.stringify(sampleEvent(kind, { region: 'eu-west-3' })),
    );

    for (const text of events) {
      expect(text).not.toContain('us-east-1');
      expect(text).toMatch(/eu-west-3/);
    }
  });

  it('makes md5OfBody the MD5 of the SQS body it was given', () => {
    const event = sampleEvent<SQSEvent>('sqs', { body: 'order 1001 placed' });

    const [record] = event.Records;
    expect(record?.body).toBe('order 1001 placed');
    expect(record?.md5OfBody).toBe(md5('order 1001 placed'));
    expect(record?.eventSourceARN).toBe('arn:aws:sqs:us-east-1:123456789012:orders');
    expect(Number(record?.attributes.SentTimestamp)).toBe(Date.parse('2026-01-15T10:30:00Z'));
  });

  it('gives an S3 object the size and ETag of its content and the key URL-encoded as S3 sends it', () => {
    const event = sampleEvent<S3Event>('s3', { bucket: 'invoices', key: 'in/march report.pdf', body: 'abc' });

    const s3 = event.Records[0]?.s3;
    expect(s3?.bucket).toMatchObject({ name: 'invoices', arn: 'arn:aws:s3:::invoices' });
    expect(s3?.object).toMatchObject({ key: 'in/march+report.pdf', size: 3, eTag: md5('abc') });
  });

  it('derives the SNS subscription from the topic and carries the message it was given', () => {
    const event = sampleEvent<SNSEvent>('sns', { body: 'hello' });

    const [record] = event.Records;
    expect(record?.Sns.Message).toBe('hello');
    expect(record?.EventSubscriptionArn.startsWith(`${record?.Sns.TopicArn}:`)).toBe(true);
    expect(record?.Sns.UnsubscribeUrl).toContain(record?.EventSubscriptionArn);
  });

  it('builds a REST API proxy event whose path, method, query and proxy parameter agree', () => {
    const event = sampleEvent<APIGatewayProxyEvent>('apigateway-rest', {
      path: '/orders/1001?expand=items',
      method: 'patch',
    });

    expect(event).toMatchObject({
      path: '/orders/1001',
      httpMethod: 'PATCH',
      queryStringParameters: { expand: 'items' },
      multiValueQueryStringParameters: { expand: ['items'] },
      pathParameters: { proxy: 'orders/1001' },
      body: null,
      requestContext: {
        path: '/prod/orders/1001',
        httpMethod: 'PATCH',
        requestTimeEpoch: Date.parse('2026-01-15T10:30:00Z'),
      },
    });
    expect(event.headers.Host).toBe(event.requestContext.domainName);
  });

  it.each(['apigateway-http', 'function-url'] as const)(
    'builds a payload 2.0 %s event that is a POST with a JSON body when given one',
    (kind) => {
      const event = sampleEvent<APIGatewayProxyEventV2>(kind, {
        body: '{"orderId":"1001"}',
        path: '/orders?a=1&a=2',
      });

      expect(event).toMatchObject({
        version: '2.0',
        rawPath: '/orders',
        rawQueryString: 'a=1&a=2',
        queryStringParameters: { a: '1,2' },
        body: '{"orderId":"1001"}',
        requestContext: { http: { method: 'POST', path: '/orders' } },
      });
      expect(event.headers['content-type']).toBe('application/json');
      expect(event.headers['content-length']).toBe('18');
      expect(event.headers.host).toBe(event.requestContext.domainName);
      // X-Ray puts the request's epoch seconds in the trace id.
      expect(event.headers['x-amzn-trace-id']).toContain(
        `1-${(event.requestContext.timeEpoch / 1000).toString(16)}-`,
      );
    },
  );

  it('serves a function URL event from a lambda-url domain without a body for a GET', () => {
    const event = sampleEvent<APIGatewayProxyEventV2>('function-url');

    expect(event.requestContext.domainName).toMatch(/^[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws$/);
    expect(event.routeKey).toBe('$default');
    expect(event.requestContext.http.method).toBe('GET');
    expect('body' in event).toBe(false);
  });

  it('takes an EventBridge body as its detail', () => {
    const event = sampleEvent<EventBridgeEvent<string, unknown>>('eventbridge', {
      body: '{"invoiceId":"i-9"}',
      source: 'com.example.billing',
      detailType: 'InvoicePaid',
    });

    expect(event).toMatchObject({
      source: 'com.example.billing',
      'detail-type': 'InvoicePaid',
      detail: { invoiceId: 'i-9' },
      time: '2026-01-15T10:30:00Z',
    });
  });

  it('names the stream of the table it was given, labelled with the event time', () => {
    const event = sampleEvent<DynamoDBStreamEvent>('dynamodb-stream', { table: 'Invoices' });

    const [record] = event.Records;
    expect(record?.eventSourceARN).toBe(
      'arn:aws:dynamodb:us-east-1:123456789012:table/Invoices/stream/2026-01-15T10:30:00.000',
    );
    expect(record?.dynamodb?.ApproximateCreationDateTime).toBe(Date.parse('2026-01-15T10:30:00Z') / 1000);
  });

  it('refuses an option the kind does not take, with ERR_USAGE', () => {
    expect(() => sampleEvent('sqs', { method: 'GET' })).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE' }),
    );
  });

  it('refuses an EventBridge body that is not a JSON object', () => {
    expect(() => sampleEvent('eventbridge', { body: '[1]' })).toThrow(/must be a JSON object/);
  });

  it('leaves @types/aws-lambda out of the published declarations', async () => {
    const declarations = await readFile(new URL('../dist/sample-events.d.ts', import.meta.url), 'utf8');

    const code = declarations.replace(/\/\*[\s\S]*?\*\//g, '');
    expect(declarations).toContain("from 'aws-lambda'"); // in the TSDoc example only
    expect(code).not.toMatch(/from ['"]aws-lambda['"]|types=["']aws-lambda/);
  });
});

describe('lambda-dev event', () => {
  it('prints the sample as indented JSON when given a kind', async () => {
    const printed = await lambdaDev(['event', 'sqs', '--body', 'hi']);

    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(sampleEvent('sqs', { body: 'hi' }));
  });

  it('lists every kind with the options it takes when given --list', async () => {
    const listed = await lambdaDev(['event', '--list']);

    expect(listed.code).toBe(0);
    for (const kind of SAMPLE_EVENT_KINDS) expect(listed.stdout).toMatch(new RegExp(`^${kind} `, 'm'));
    expect(listed.stdout).toContain('options: --body --method --path --region');
  });

  it.each([
    [['event'], 'a kind is required'],
    [['event', 'kafka'], "unknown event kind 'kafka'"],
    [['event', 'sqs', '--method', 'GET'], 'a sqs event takes no --method (it takes --body, --region)'],
    [['event', 'eventbridge', '--body', 'nope'], 'an eventbridge body is its detail and must be JSON'],
  ])('exits 2 with a message when given %j', async (args, message) => {
    const refused = await lambdaDev(args);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(message);
  });
});
