import { createHash } from 'node:crypto';
// Types only, erased from the output: every sample is checked against its type at compile time,
// and no public signature names one, so the published .d.ts needs no @types/aws-lambda.
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  LambdaFunctionURLEvent,
  S3Event,
  SNSEvent,
  SQSEvent,
} from 'aws-lambda';
import { DevToolError } from './dev-tool-error.js';

/** The kinds of event {@link sampleEvent} makes, as `lambda-dev event <kind>` names them. */
export const SAMPLE_EVENT_KINDS = [
  'apigateway-rest',
  'apigateway-http',
  'function-url',
  'sqs',
  'sns',
  's3',
  'eventbridge',
  'dynamodb-stream',
] as const;

/** One of {@link SAMPLE_EVENT_KINDS}. */
export type SampleEventKind = (typeof SAMPLE_EVENT_KINDS)[number];

/** What each kind is, and the `@types/aws-lambda` type its sample is checked against. */
export const SAMPLE_EVENT_DESCRIPTIONS: Readonly<Record<SampleEventKind, string>> = {
  'apigateway-rest': 'API Gateway REST API, Lambda proxy integration (payload 1.0): APIGatewayProxyEvent',
  'apigateway-http': 'API Gateway HTTP API (payload 2.0): APIGatewayProxyEventV2',
  'function-url': 'Lambda function URL (payload 2.0, auth type NONE): LambdaFunctionURLEvent',
  sqs: 'SQS queue, one message: SQSEvent',
  sns: 'SNS topic, one notification: SNSEvent',
  s3: 'S3 ObjectCreated:Put notification: S3Event',
  eventbridge: 'EventBridge event from a custom source: EventBridgeEvent',
  'dynamodb-stream': 'DynamoDB Streams INSERT record, NEW_AND_OLD_IMAGES: DynamoDBStreamEvent',
};

/**
 * Which fields a sample lets you set; each applies to some kinds only (see
 * {@link SAMPLE_EVENT_OPTIONS}), and an option a kind does not take is refused.
 */
export interface SampleEventOptions {
  /** HTTP kinds: the request body; SQS, SNS: the message; S3: the object's content (size, ETag); EventBridge: `detail`, as JSON. */
  readonly body?: string;
  /** HTTP kinds: the method. Default `GET`, or `POST` with a body. */
  readonly method?: string;
  /** HTTP kinds: the path, with an optional `?query`. Default `/`. */
  readonly path?: string;
  /** S3: the bucket. Default `example-uploads`. */
  readonly bucket?: string;
  /** S3: the object key (as written; the event carries it URL-encoded, as S3 sends it). */
  readonly key?: string;
  /** DynamoDB Streams: the table. Default `Orders`. */
  readonly table?: string;
  /** EventBridge: `source`. Default `com.example.orders`. */
  readonly source?: string;
  /** EventBridge: `detail-type`. Default `OrderPlaced`. */
  readonly detailType?: string;
  /** Every kind: the region in ARNs, domains and `awsRegion`. Default `us-east-1`. */
  readonly region?: string;
  /** Every kind: when it happened (timestamps and the ids derived from them). Default 2026-01-15T10:30:00Z. */
  readonly time?: Date;
}

/** Which {@link SampleEventOptions} each kind takes (`region` and `time` apply to all). */
export const SAMPLE_EVENT_OPTIONS: Readonly<Record<SampleEventKind, readonly (keyof SampleEventOptions)[]>> =
  {
    'apigateway-rest': ['body', 'method', 'path'],
    'apigateway-http': ['body', 'method', 'path'],
    'function-url': ['body', 'method', 'path'],
    sqs: ['body'],
    sns: ['body'],
    s3: ['body', 'bucket', 'key'],
    eventbridge: ['body', 'source', 'detailType'],
    'dynamodb-stream': ['table'],
  };

/** A sample event: a JSON object. */
export type SampleEvent = { readonly [field: string]: unknown };

const ACCOUNT = '123456789012';
const DEFAULT_TIME = new Date('2026-01-15T10:30:00.000Z');
const SOURCE_IP = '203.0.113.10';
const USER_AGENT = 'curl/8.5.0';

/**
 * A realistic, internally consistent sample event of `kind` (one account, one region, one instant;
 * ARNs, domains, ids and digests that agree with each other), as the service sends it. Each is
 * checked at compile time against its `@types/aws-lambda` type; name that type as `T` to get it
 * typed (the type is not checked at run time).
 *
 * @throws {@link DevToolError} `ERR_USAGE` for an unknown kind, an option the kind does not take, or
 * an EventBridge body that is not a JSON object.
 *
 * @example
 * ```ts
 * import type { SQSEvent } from 'aws-lambda';
 * import { sampleEvent } from '@lambda-runtime/dev';
 *
 * const event = sampleEvent<SQSEvent>('sqs', { body: '{"orderId":"1001"}' });
 * await handler(event, context);
 * ```
 */
export function sampleEvent<T = SampleEvent>(kind: SampleEventKind, options: SampleEventOptions = {}): T {
  if (!(SAMPLE_EVENT_KINDS as readonly string[]).includes(kind)) {
    throw new DevToolError(
      'ERR_USAGE',
      `unknown event kind '${kind}': expected one of ${SAMPLE_EVENT_KINDS.join(', ')}`,
    );
  }
  const allowed = new Set<string>([...SAMPLE_EVENT_OPTIONS[kind], 'region', 'time']);
  const refused = Object.entries(options)
    .filter(([name, value]) => value !== undefined && !allowed.has(name))
    .map(([name]) => name);
  if (refused.length > 0) {
    throw new DevToolError(
      'ERR_USAGE',
      `a ${kind} event takes no ${refused.join(', ')} (it takes ${[...SAMPLE_EVENT_OPTIONS[kind], 'region'].join(', ')})`,
    );
  }
  const at: Moment = { time: options.time ?? DEFAULT_TIME, region: options.region ?? 'us-east-1' };
  return MAKERS[kind](options, at) as T;
}

interface Moment {
  readonly time: Date;
  readonly region: string;
}

type Maker = (options: SampleEventOptions, at: Moment) => SampleEvent;

const MAKERS: Readonly<Record<SampleEventKind, Maker>> = {
  'apigateway-rest': restApiEvent,
  'apigateway-http': (options, at) => httpApiEvent(options, at, 'http-api'),
  'function-url': (options, at) => httpApiEvent(options, at, 'function-url'),
  sqs: sqsEvent,
  sns: snsEvent,
  s3: s3Event,
  eventbridge: eventBridgeEvent,
  'dynamodb-stream': dynamoDbStreamEvent,
};

interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly query: Map<string, string[]>;
  readonly body: string | undefined;
  readonly headers: Record<string, string>;
}

function httpRequest(options: SampleEventOptions, host: string, at: Moment): HttpRequest {
  const [path = '/', rawQuery = ''] = (options.path ?? '/').split(/\?(.*)/s, 2);
  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery))
    query.set(name, [...(query.get(name) ?? []), value]);
  const body = options.body;
  const headers: Record<string, string> = {
    accept: '*/*',
    host,
    'user-agent': USER_AGENT,
    'x-amzn-trace-id': traceId(at, 1),
    'x-forwarded-for': SOURCE_IP,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  if (body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body));
    headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  }
  return {
    method: (options.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase(),
    path: path.startsWith('/') ? path : `/${path}`,
    rawQuery,
    query,
    body,
    headers,
  };
}

function restApiEvent(options: SampleEventOptions, at: Moment): SampleEvent {
  const apiId = 'a1b2c3d4e5';
  const host = `${apiId}.execute-api.${at.region}.amazonaws.com`;
  const request = httpRequest(options, host, at);
  const single = (map: Map<string, string[]>) =>
    map.size === 0 ? null : Object.fromEntries([...map].map(([name, values]) => [name, values.at(-1) ?? '']));
  const multi = (map: Map<string, string[]>) => (map.size === 0 ? null : Object.fromEntries(map));
  // REST APIs pass header names as the client wrote them (curl: `Host`, `User-Agent`); HTTP APIs lower-case them.
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase()),
      value,
    ]),
  );
  return {
    resource: '/{proxy+}',
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: single(request.query),
    multiValueQueryStringParameters: multi(request.query),
    pathParameters: request.path === '/' ? null : { proxy: request.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT,
      apiId,
      authorizer: null,
      domainName: host,
      domainPrefix: apiId,
      extendedRequestId: 'XyZ1aFk2IAMEbQw=',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: SOURCE_IP,
        user: null,
        userAgent: USER_AGENT,
        userArn: null,
      },
      path: `/prod${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: clfTime(at.time),
      requestTimeEpoch: at.time.getTime(),
      resourceId: 'x7k2p9',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: request.body ?? null,
    isBase64Encoded: false,
  } satisfies APIGatewayProxyEvent;
}

function httpApiEvent(
  options: SampleEventOptions,
  at: Moment,
  front: 'http-api' | 'function-url',
): SampleEvent {
  const prefix = front === 'function-url' ? 'k3xq7tdmv2h4b6cnwy5ezr8jla0fgosu' : 'f7g8h9j0k1';
  const host =
    front === 'function-url'
      ? `${prefix}.lambda-url.${at.region}.on.aws`
      : `${prefix}.execute-api.${at.region}.amazonaws.com`;
  const request = httpRequest(options, host, at);
  const routeKey = front === 'function-url' ? '$default' : `ANY /{proxy+}`;
  const event = {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQuery,
    headers: request.headers,
    requestContext: {
      accountId: front === 'function-url' ? 'anonymous' : ACCOUNT,
      apiId: prefix,
      domainName: host,
      domainPrefix: prefix,
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: SOURCE_IP,
        userAgent: USER_AGENT,
      },
      requestId: front === 'function-url' ? '5a0e1d4c-2f2b-4d57-9a5c-3b8f6e1d7c90' : 'Jd8eKgS5oAMEVxg=',
      routeKey,
      stage: '$default',
      time: clfTime(at.time),
      timeEpoch: at.time.getTime(),
    },
    isBase64Encoded: false,
    ...(request.query.size === 0
      ? {}
      : {
          queryStringParameters: Object.fromEntries(
            [...request.query].map(([name, values]) => [name, values.join(',')]),
          ),
        }),
    ...(front === 'http-api' && request.path !== '/'
      ? { pathParameters: { proxy: request.path.slice(1) } }
      : {}),
    ...(request.body === undefined ? {} : { body: request.body }),
  };
  return front === 'function-url'
    ? (event satisfies LambdaFunctionURLEvent)
    : (event satisfies APIGatewayProxyEventV2);
}

function sqsEvent(options: SampleEventOptions, at: Moment): SampleEvent {
  const body = options.body ?? '{"orderId":"1001","quantity":2}';
  const sent = at.time.getTime();
  return {
    Records: [
      {
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        receiptHandle:
          'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a+EXAMPLE+Yd9jPhxWXsp8yW7eSM7Lg2N2O0XTaKjELDZgNyD1yd6d6mUq4g7yS0oqB0pA9lWJp4H8xk7MTUqkp0EXAMPLE=',
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(sent),
          SenderId: 'AROAIWPX5BD2BHG722MW4:sender',
          ApproximateFirstReceiveTimestamp: String(sent + 12),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${at.region}:${ACCOUNT}:orders`,
        awsRegion: at.region,
      },
    ],
  } satisfies SQSEvent;
}

function snsEvent(options: SampleEventOptions, at: Moment): SampleEvent {
  const topicArn = `arn:aws:sns:${at.region}:${ACCOUNT}:orders`;
  const subscriptionArn = `${topicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;
  const endpoint = `https://sns.${at.region}.amazonaws.com`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: topicArn,
          Subject: 'OrderPlaced',
          Message: options.body ?? '{"orderId":"1001","quantity":2}',
          Timestamp: at.time.toISOString(),
          SignatureVersion: '1',
          Signature:
            'tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==EXAMPLESIGNATURE/SampleOnly/NotVerifiable',
          SigningCertUrl: `${endpoint}/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`,
          UnsubscribeUrl: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  } satisfies SNSEvent;
}

function s3Event(options: SampleEventOptions, at: Moment): SampleEvent {
  const bucket = options.bucket ?? 'example-uploads';
  const key = options.key ?? 'orders/2026/01/15/order 1001.json';
  const content = options.body ?? '{"orderId":"1001","quantity":2}\n';
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: at.region,
        eventTime: at.time.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AROAIWPX5BD2BHG722MW4:uploader' },
        requestParameters: { sourceIPAddress: SOURCE_IP },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'orders-upload',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            // S3 sends keys URL-encoded, with spaces as '+'.
            key: encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/'),
            size: Buffer.byteLength(content),
            eTag: createHash('md5').update(content).digest('hex'),
            sequencer: (at.time.getTime() * 1000).toString(16).toUpperCase().padStart(18, '0'),
          },
        },
      },
    ],
  } satisfies S3Event;
}

function eventBridgeEvent(options: SampleEventOptions, at: Moment): SampleEvent {
  let detail: Record<string, unknown> = { orderId: '1001', quantity: 2 };
  if (options.body !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options.body);
    } catch (error) {
      throw new DevToolError(
        'ERR_USAGE',
        `an eventbridge body is its detail and must be JSON: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new DevToolError('ERR_USAGE', 'an eventbridge body is its detail and must be a JSON object');
    }
    detail = parsed as Record<string, unknown>;
  }
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': options.detailType ?? 'OrderPlaced',
    source: options.source ?? 'com.example.orders',
    account: ACCOUNT,
    time: at.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: at.region,
    resources: [],
    detail,
  } satisfies EventBridgeEvent<string, Record<string, unknown>>;
}

function dynamoDbStreamEvent(options: SampleEventOptions, at: Moment): SampleEvent {
  const table = options.table ?? 'Orders';
  const label = at.time.toISOString().replace(/Z$/, '');
  const keys = { pk: { S: 'ORDER#1001' } };
  const image = { ...keys, status: { S: 'PLACED' }, quantity: { N: '2' }, customer: { S: 'CUSTOMER#42' } };
  return {
    Records: [
      {
        eventID: 'c4ca4238a0b923820dcc509a6f75849b',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: at.region,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(at.time.getTime() / 1000),
          Keys: keys,
          NewImage: image,
          SequenceNumber: '111100000000012345678901',
          SizeBytes: Buffer.byteLength(JSON.stringify(keys)) + Buffer.byteLength(JSON.stringify(image)),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: `arn:aws:dynamodb:${at.region}:${ACCOUNT}:table/${table}/stream/${label}`,
      },
    ],
  } satisfies DynamoDBStreamEvent;
}

/** An X-Ray trace id whose first part is the request time, as X-Ray makes them. */
function traceId(at: Moment, n: number): string {
  const seconds = Math.floor(at.time.getTime() / 1000).toString(16);
  return `Root=1-${seconds}-${createHash('sha1').update(`${seconds}/${n}`).digest('hex').slice(0, 24)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `15/Jan/2026:10:30:00 +0000`: the common log format time API Gateway uses. */
function clfTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`
  );
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
