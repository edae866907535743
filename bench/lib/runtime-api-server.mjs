// What the bench Runtime API servers (bench/server.mjs, bench/concurrency-server.mjs) share: the
// fixed event and its headers, UUID-shaped ids, the latency summary, and a node:http server that
// answers /init/error and unknown requests and reports both to the parent over IPC.
import { createServer } from 'node:http';
import { serializePerConnection } from '@lambda-runtime/emulator';

export const NEXT_PATH = '/2018-06-01/runtime/invocation/next';
export const INVOCATION_PREFIX = '/2018-06-01/runtime/invocation/';
const INIT_ERROR_PATH = '/2018-06-01/runtime/init/error';
const TRACE_ID = 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=0';
export const EVENT = Buffer.from(
  JSON.stringify({ key: 'hello', n: 42, nested: { ok: true, tags: ['a', 'b'] } }),
);
const EVENT_LENGTH = String(EVENT.length);
export const ACCEPTED = Buffer.from('{"status":"OK"}');
export const ACCEPTED_HEADERS = [
  'Content-Type',
  'application/json',
  'Content-Length',
  String(ACCEPTED.length),
];
const TIMEOUT_MS = 300_000;
// UUID-shaped ids without the cost of randomUUID(): a random prefix per server and a counter.
const ID_PREFIX = `${Math.floor(Math.random() * 0xffffffff)
  .toString(16)
  .padStart(8, '0')}-0000-4000-8000-`;

/** The `counter`th request id of this server. */
export function requestId(counter) {
  return ID_PREFIX + counter.toString(16).padStart(12, '0');
}

/** Writes the §3.1 head of the /next answer that carries EVENT as invocation `id` of `functionName`. */
export function writeEventHead(res, id, functionName) {
  res.writeHead(200, [
    'Content-Type',
    'application/json',
    'Content-Length',
    EVENT_LENGTH,
    'Lambda-Runtime-Aws-Request-Id',
    id,
    'Lambda-Runtime-Deadline-Ms',
    String(Date.now() + TIMEOUT_MS),
    'Lambda-Runtime-Invoked-Function-Arn',
    `arn:aws:lambda:us-east-1:012345678912:function:${functionName}`,
    'Lambda-Runtime-Trace-Id',
    TRACE_ID,
  ]);
}

/** p50, p99 and mean of the first `recorded` latencies (ns); sorts them in place. */
export function latencySummary(latencies, recorded) {
  const summary = { p50Ns: 0, p99Ns: 0, meanNs: 0 };
  if (recorded > 0) {
    const sorted = latencies.subarray(0, recorded).sort();
    summary.p50Ns = sorted[Math.min(recorded - 1, Math.floor(recorded * 0.5))];
    summary.p99Ns = sorted[Math.min(recorded - 1, Math.floor(recorded * 0.99))];
    let sum = 0;
    for (let i = 0; i < recorded; i += 1) sum += sorted[i];
    summary.meanNs = sum / recorded;
  }
  return summary;
}

/** A message to the parent process. */
export function send(message) {
  process.send?.(message);
}

/**
 * Listens on 127.0.0.1, port 0, and reports `{ type: 'listening', port }`. `route(req, res)` serves
 * a request and returns true, or returns false to leave it to the server: POST /init/error is
 * accepted and reported as `init-error`, anything else is a `protocol-error` answered with 400. On
 * `{ type: 'stop' }` from the parent it closes and disconnects; other messages go to `onMessage`.
 */
export function serveRuntimeApi(route, onMessage) {
  // Like Lambda's (Go) server: one request at a time per connection, even when the client pipelines.
  const server = createServer(
    { keepAlive: true, noDelay: true },
    serializePerConnection((req, res) => {
      if (route(req, res)) return;
      if (req.method === 'POST' && req.url === INIT_ERROR_PATH) {
        const chunks = [];
        req.on('data', (chunk) => chunks.push(chunk));
        req.on('end', () => {
          send({ type: 'init-error', body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(202, ACCEPTED_HEADERS);
          res.end(ACCEPTED);
        });
        return;
      }
      req.resume();
      send({ type: 'protocol-error', message: `unexpected ${req.method} ${req.url}` });
      res.writeHead(400, ['Content-Type', 'application/json']);
      res.end('{"errorType":"InvalidRequestID","errorMessage":"unknown request"}');
    }),
  );
  // Parked /next requests may be held for as long as the parent likes.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  process.on('message', (message) => {
    if (message.type === 'stop') {
      server.closeAllConnections();
      server.close();
      process.disconnect?.();
    } else {
      onMessage(message);
    }
  });
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'listening', port: server.address().port });
  });
  return server;
}
