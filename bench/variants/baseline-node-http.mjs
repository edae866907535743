// The baseline: a minimal hand-written Runtime API loop on node:http with a keep-alive agent (one
// socket), doing the same observable work as examples/echo: the same reply, JSON.parse/stringify,
// `{ fail }` answered with /error (the soak asks for some), one Text-format log line at init and one
// per invocation, written synchronously to stdout like the runtime's logger. The reference of the
// bench when aws-lambda-ric is not measured, and of the soak.
import { writeSync } from 'node:fs';
import { baselineClient } from '../lib/baseline-client.mjs';

const client = baselineClient(1);

function log(requestId, message) {
  writeSync(1, `${new Date().toISOString()}\t${requestId}\tINFO\t${message}\n`);
}

/** The echo example's error for `{ "fail": "why" }` (the soak asks for some). */
class EchoRequestedError extends Error {
  name = 'EchoRequestedError';
}

function handler(event, context) {
  if (event === '') throw new Error('Empty input, nothing to echo.');
  if (typeof event === 'object' && event !== null && 'fail' in event) {
    throw new EchoRequestedError(`Failing as asked: ${String(event.fail)}`);
  }
  log(context.awsRequestId, 'echoing');
  return { message: `ECHO: ${JSON.stringify(event)}`, requestId: context.awsRequestId, event };
}

// Like the runtime: SIGTERM ends the process normally (so `--node-args --cpu-prof` can write a profile).
process.on('SIGTERM', () => process.exit(0));
log('undefined', 'echo function initialised');
for (;;) {
  const { headers, body, context } = await client.next();
  const trace = headers['lambda-runtime-trace-id'];
  if (trace === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = trace;
  try {
    await client.respond(context.awsRequestId, handler(JSON.parse(body), context));
  } catch (error) {
    await client.fail(context.awsRequestId, error);
  }
}
