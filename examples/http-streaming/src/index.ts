import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRuntime } from '@lambda-runtime/core';
import { httpResponseStream, streamingHandler } from '@lambda-runtime/handlers';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const MAX_TICKS = 50;

defaultRuntime(() =>
  // A function URL in RESPONSE_STREAM mode (or the emulator's function URL door) gets an HTTP
  // response: status, headers and cookies first, then the body as it is written.
  streamingHandler(async (event: APIGatewayProxyEventV2, responseStream, context) => {
    const ticks = Number(event.queryStringParameters?.ticks ?? '3');
    if (!Number.isInteger(ticks) || ticks < 1 || ticks > MAX_TICKS) {
      // Nothing has been written yet, so the status is still ours to choose.
      httpResponseStream(responseStream, {
        statusCode: 400,
        headers: { 'Content-Type': 'application/json' },
      }).end(JSON.stringify({ message: `ticks must be a whole number from 1 to ${MAX_TICKS}` }));
      return;
    }

    const http = httpResponseStream(responseStream, {
      statusCode: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
      cookies: [`last-request=${context.awsRequestId}; Path=/; HttpOnly`],
    });
    for (let tick = 1; tick <= ticks; tick += 1) {
      await sleep(20);
      // Honour backpressure: a slow client pauses the loop instead of filling memory.
      if (!http.write(`event: tick\ndata: ${JSON.stringify({ tick, of: ticks })}\n\n`)) {
        await new Promise((resolve) => http.once('drain', resolve));
      }
    }
    http.end('event: done\ndata: {}\n\n');
  }),
).run();
