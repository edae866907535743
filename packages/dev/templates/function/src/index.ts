import { defaultRuntime } from '@lambda-runtime/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from './handler.js';

// The entry `lambda-dev build` bundles: one-time initialisation goes in this function (it may be
// async and may throw: the error is reported to Lambda as an init error), and it returns the handler.
defaultRuntime<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(() => handler).run();
