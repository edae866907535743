// The baseline of the Managed Instances benchmark: a minimal hand-written Runtime API client on
// node:http that keeps AWS_LAMBDA_MAX_CONCURRENCY (N) /next long polls in flight, one worker loop per
// poll, each on its own kept-alive socket; the same handler as bench/concurrency-function.mjs (await
// 20 ms on a timer, then the echo reply) and one JSON log line per invocation written synchronously.
import { writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const [hostname, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const concurrency = Math.max(1, Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? '1', 10) || 1);
const ioMs = Number(process.env.BENCH_IO_MS ?? '20');
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const BASE = '/2018-06-01/runtime/invocation/';

function log(requestId, message) {
  writeSync(
    1,
    `${JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', requestId, message })}\n`,
  );
}

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined
        ? {}
        : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    const req = request({ agent, hostname, port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function handler(event, context) {
  await sleep(ioMs);
  log(context.awsRequestId, 'echoing');
  return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
}

async function worker() {
  for (;;) {
    const next = await call('GET', `${BASE}next`);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
    };
    try {
      const result = await handler(JSON.parse(next.body), context);
      await call('POST', `${BASE}${requestId}/response`, JSON.stringify(result));
    } catch (error) {
      const document = JSON.stringify({ errorType: error.name, errorMessage: error.message, stackTrace: [] });
      await call('POST', `${BASE}${requestId}/error`, document);
    }
  }
}

process.on('SIGTERM', () => process.exit(0));
log('undefined', `baseline initialised, ${concurrency} pollers`);
await Promise.all(Array.from({ length: concurrency }, worker));
