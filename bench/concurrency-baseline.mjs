// The baseline of the Managed Instances benchmark: a minimal hand-written Runtime API client on
// node:http that keeps AWS_LAMBDA_MAX_CONCURRENCY (N) /next long polls in flight, one worker loop per
// poll, each on its own kept-alive socket; the same handler as bench/concurrency-function.mjs (await
// 20 ms on a timer, then the echo reply) and one JSON log line per invocation written synchronously.
import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { baselineClient } from './lib/baseline-client.mjs';

const concurrency = Math.max(1, Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? '1', 10) || 1);
const ioMs = Number(process.env.BENCH_IO_MS ?? '20');
const client = baselineClient(concurrency);

function log(requestId, message) {
  writeSync(
    1,
    `${JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', requestId, message })}\n`,
  );
}

async function handler(event, context) {
  await sleep(ioMs);
  log(context.awsRequestId, 'echoing');
  return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
}

async function worker() {
  for (;;) {
    const { body, context } = await client.next();
    try {
      await client.respond(context.awsRequestId, await handler(JSON.parse(body), context));
    } catch (error) {
      await client.fail(context.awsRequestId, error);
    }
  }
}

process.on('SIGTERM', () => process.exit(0));
log('undefined', `baseline initialised, ${concurrency} pollers`);
await Promise.all(Array.from({ length: concurrency }, worker));
