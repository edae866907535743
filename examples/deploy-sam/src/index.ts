import { defaultRuntime } from '@lambda-runtime/core';
import { handlers } from '@lambda-runtime/handlers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, ScheduledEvent } from 'aws-lambda';

async function api(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: event.routeKey, node: process.version }),
  };
}

async function nightly(event: ScheduledEvent): Promise<{ scheduledAt: string; node: string }> {
  return { scheduledAt: event.time, node: process.version };
}

// One bundle, two functions: each function's Handler in template.yaml reaches the runtime as
// _HANDLER, and handlers() runs the entry of that name.
defaultRuntime(handlers({ 'api.handler': api, 'jobs.nightly': nightly })).run();
