import { defaultRuntime } from '@lambda-runtime/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

defaultRuntime<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(() => async (event, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ path: event.rawPath, requestId: context.awsRequestId, node: process.version }),
})).run();
