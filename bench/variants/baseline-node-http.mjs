// The baseline: a minimal hand-written Runtime API loop on node:http with a keep-alive agent (one
// socket), doing the same observable work as examples/echo: the same reply, JSON.parse/stringify,
// one Text-format log line at init and one per invocation, written synchronously to stdout like the
// runtime's logger. Every variant is measured against this one in the same run.
import { writeSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [hostname, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const BASE = '/2018-06-01/runtime/invocation/';

function log(requestId, message) {
  writeSync(1, `${new Date().toISOString()}\t${requestId}\tINFO\t${message}\n`);
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

function handler(event, context) {
  if (event === '') throw new Error('Empty input, nothing to echo.');
  log(context.awsRequestId, 'echoing');
  return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
}

// Like the runtime: SIGTERM ends the process normally (so `--node-args --cpu-prof` can write a profile).
process.on('SIGTERM', () => process.exit(0));
log('undefined', 'echo function initialised');
for (;;) {
  const next = await call('GET', `${BASE}next`);
  const requestId = next.headers['lambda-runtime-aws-request-id'];
  const context = {
    awsRequestId: requestId,
    invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
    deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
  };
  const trace = next.headers['lambda-runtime-trace-id'];
  if (trace === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = trace;
  try {
    const result = handler(JSON.parse(next.body), context);
    await call('POST', `${BASE}${requestId}/response`, JSON.stringify(result));
  } catch (error) {
    const document = JSON.stringify({ errorType: error.name, errorMessage: error.message, stackTrace: [] });
    await call('POST', `${BASE}${requestId}/error`, document);
  }
}
