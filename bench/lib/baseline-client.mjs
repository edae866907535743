// The hand-written node:http Runtime API client of the bench baselines
// (bench/variants/baseline-node-http.mjs, bench/concurrency-baseline.mjs): no library, a keep-alive
// agent, bodies buffered whole.
import { Agent, request } from 'node:http';

const BASE = '/2018-06-01/runtime/invocation/';

/** A client of the Runtime API in AWS_LAMBDA_RUNTIME_API, on up to `maxSockets` kept-alive sockets. */
export function baselineClient(maxSockets) {
  const [hostname, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets });

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

  return {
    /** GET /next: the event's raw body, its headers and the context a handler gets. */
    async next() {
      const next = await call('GET', `${BASE}next`);
      const context = {
        awsRequestId: next.headers['lambda-runtime-aws-request-id'],
        invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
        deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
      };
      return { headers: next.headers, body: next.body, context };
    },
    /** POST /response with `result` as JSON. */
    respond: (requestId, result) => call('POST', `${BASE}${requestId}/response`, JSON.stringify(result)),
    /** POST /error with the error document of `error`. */
    fail: (requestId, error) =>
      call(
        'POST',
        `${BASE}${requestId}/error`,
        JSON.stringify({ errorType: error.name, errorMessage: error.message, stackTrace: [] }),
      ),
  };
}
