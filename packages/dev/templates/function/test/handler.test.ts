import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../src/handler.js';

function requestEvent(query?: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: new URLSearchParams(query).toString(),
    ...(query === undefined ? {} : { queryStringParameters: query }),
    headers: { host: 'example.lambda-url.us-east-1.on.aws' },
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'example',
      domainName: 'example.lambda-url.us-east-1.on.aws',
      domainPrefix: 'example',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
  };
}

const context = { awsRequestId: 'invocation-1' } as Context;

describe('handler', () => {
  it('greets the name in the query string', async () => {
    const result = await handler(requestEvent({ name: 'Ada' }), context);

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ message: 'Hello, Ada!', requestId: 'invocation-1' });
  });

  it('greets the world when the query string names nobody', async () => {
    const result = await handler(requestEvent(), context);

    expect(JSON.parse(result.body ?? '')).toMatchObject({ message: 'Hello, world!' });
  });
});
