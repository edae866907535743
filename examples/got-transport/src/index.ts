import { defaultRuntime } from '@lambda-runtime/core';
import { GotTransport } from '@lambda-runtime/transport-got';

defaultRuntime(() => (event: unknown, context) => ({
  message: `ECHO: ${JSON.stringify(event)}`,
  requestId: context.awsRequestId,
  transport: 'got',
}))
  // The one line that swaps the default socket transport for got.
  .withTransport((origin) => new GotTransport({ origin }))
  .run();
