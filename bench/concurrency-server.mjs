// The Runtime API of the Managed Instances benchmark (bench/concurrency.mjs), run in its own process
// and driven over IPC like bench/server.mjs, but with up to N invocations outstanding at once: every
// parked GET /next is answered with an event as long as fewer than N invocations are unanswered, so
// a runtime that polls N /next at once runs N handlers at once, and one that polls one at a time
// gets one. It keeps no history, only counters and latencies (event sent -> answer received).
//
// Protocol with the parent (process.send / 'message'):
//   parent -> { type: 'arm' }                        a new runtime is about to start: forget every
//                                                    poll and invocation; polls are parked, not served
//   parent -> { type: 'wait-polls', n }              answered with { type: 'polls', parked } once n
//                                                    /next are parked (the runtime is ready)
//   parent -> { type: 'drive', seconds, concurrency, record }
//                                                    keep up to `concurrency` invocations outstanding
//                                                    for `seconds`, then stop handing out events; when
//                                                    the last one is answered:
//   child  -> { type: 'done', n, errors, wallNs, p50Ns, p99Ns, meanNs, maxOutstanding, maxParked }
//   parent -> { type: 'stop' }                       close and exit
//   child  -> { type: 'listening', port }
//   child  -> { type: 'init-error', body } / { type: 'protocol-error', message }
//
// Clock: process.hrtime.bigint() (CLOCK_MONOTONIC), as in bench/server.mjs.
import { createServer } from 'node:http';
import { serializePerConnection } from '@lambda-runtime/emulator';

const NEXT_PATH = '/2018-06-01/runtime/invocation/next';
const INVOCATION_PREFIX = '/2018-06-01/runtime/invocation/';
const INIT_ERROR_PATH = '/2018-06-01/runtime/init/error';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:012345678912:function:bench-concurrency';
const TRACE_ID = 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=0';
const EVENT = Buffer.from(JSON.stringify({ key: 'hello', n: 42, nested: { ok: true, tags: ['a', 'b'] } }));
const EVENT_LENGTH = String(EVENT.length);
const ACCEPTED = Buffer.from('{"status":"OK"}');
const ACCEPTED_HEADERS = ['Content-Type', 'application/json', 'Content-Length', String(ACCEPTED.length)];
const TIMEOUT_MS = 300_000;
const ID_PREFIX = `${Math.floor(Math.random() * 0xffffffff)
  .toString(16)
  .padStart(8, '0')}-0000-4000-8000-`;

/** Parked GET /next responses, oldest first. */
let parked = [];
/** Unanswered invocations by request id: the time their event was sent. */
const outstanding = new Map();
let counter = 0;
let phase = null; // { concurrency, endsAt, record, startedAt, lastAnswerAt, latencies, recorded, errors, maxOutstanding, maxParked }
let pollWaiter = null; // { n }

function send(message) {
  process.send?.(message);
}

/** Hands events to parked polls while the phase runs and fewer than N are outstanding. */
function dispatchAll() {
  if (phase === null) return;
  while (parked.length > 0 && outstanding.size < phase.concurrency) {
    if (process.hrtime.bigint() >= phase.endsAt) return;
    dispatch(parked.shift());
  }
}

function dispatch(res) {
  counter += 1;
  const id = ID_PREFIX + counter.toString(16).padStart(12, '0');
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
    FUNCTION_ARN,
    'Lambda-Runtime-Trace-Id',
    TRACE_ID,
  ]);
  outstanding.set(id, process.hrtime.bigint());
  if (outstanding.size > phase.maxOutstanding) phase.maxOutstanding = outstanding.size;
  res.end(EVENT);
}

function finishIfDrained() {
  if (phase === null || outstanding.size > 0) return;
  if (process.hrtime.bigint() < phase.endsAt) return;
  const p = phase;
  phase = null;
  const stats = { p50Ns: 0, p99Ns: 0, meanNs: 0 };
  if (p.recorded > 0) {
    const sorted = p.latencies.subarray(0, p.recorded).sort();
    stats.p50Ns = sorted[Math.min(p.recorded - 1, Math.floor(p.recorded * 0.5))];
    stats.p99Ns = sorted[Math.min(p.recorded - 1, Math.floor(p.recorded * 0.99))];
    let sum = 0;
    for (let i = 0; i < p.recorded; i += 1) sum += sorted[i];
    stats.meanNs = sum / p.recorded;
  }
  send({
    type: 'done',
    n: p.answered,
    errors: p.errors,
    wallNs: Number((p.lastAnswerAt ?? p.startedAt) - p.startedAt),
    maxOutstanding: p.maxOutstanding,
    maxParked: p.maxParked,
    ...stats,
  });
}

function onNext(_req, res) {
  parked.push(res);
  if (phase !== null && parked.length > phase.maxParked) phase.maxParked = parked.length;
  res.on('close', () => {
    const at = parked.indexOf(res);
    if (at !== -1) parked.splice(at, 1);
  });
  if (pollWaiter !== null && parked.length >= pollWaiter.n) {
    pollWaiter = null;
    send({ type: 'polls', parked: parked.length });
  }
  dispatchAll();
}

function onAnswer(req, res, id, isError) {
  req.on('data', noop);
  req.on('end', () => {
    const at = process.hrtime.bigint();
    const sentAt = outstanding.get(id);
    res.writeHead(202, ACCEPTED_HEADERS);
    res.end(ACCEPTED);
    if (sentAt === undefined) {
      send({ type: 'protocol-error', message: `answer for ${id}, which is not outstanding` });
      return;
    }
    outstanding.delete(id);
    if (phase !== null) {
      phase.answered += 1;
      phase.lastAnswerAt = at;
      if (isError) phase.errors += 1;
      if (phase.record) {
        if (phase.recorded === phase.latencies.length) {
          const grown = new Float64Array(phase.latencies.length * 2);
          grown.set(phase.latencies);
          phase.latencies = grown;
        }
        phase.latencies[phase.recorded] = Number(at - sentAt);
        phase.recorded += 1;
      }
    }
    dispatchAll();
    finishIfDrained();
  });
}

function noop() {}

// Like Lambda's (Go) server: one request at a time per connection, even when the client pipelines.
const server = createServer(
  { keepAlive: true, noDelay: true },
  serializePerConnection((req, res) => {
    const url = req.url;
    if (req.method === 'GET' && url === NEXT_PATH) {
      onNext(req, res);
      return;
    }
    if (req.method === 'POST' && url.startsWith(INVOCATION_PREFIX)) {
      const rest = url.slice(INVOCATION_PREFIX.length);
      const slash = rest.indexOf('/');
      const id = rest.slice(0, slash);
      const endpoint = rest.slice(slash + 1);
      if (endpoint === 'response' || endpoint === 'error') {
        onAnswer(req, res, id, endpoint === 'error');
        return;
      }
    }
    if (req.method === 'POST' && url === INIT_ERROR_PATH) {
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
    send({ type: 'protocol-error', message: `unexpected ${req.method} ${url}` });
    res.writeHead(400, ['Content-Type', 'application/json']);
    res.end('{"errorType":"InvalidRequestID","errorMessage":"unknown request"}');
  }),
);
// Parked /next requests may be held for as long as the parent likes.
server.requestTimeout = 0;
server.headersTimeout = 0;
server.keepAliveTimeout = 0;

process.on('message', (message) => {
  if (message.type === 'arm') {
    parked = [];
    outstanding.clear();
    phase = null;
    pollWaiter = null;
  } else if (message.type === 'wait-polls') {
    if (parked.length >= message.n) send({ type: 'polls', parked: parked.length });
    else pollWaiter = { n: message.n };
  } else if (message.type === 'drive') {
    const startedAt = process.hrtime.bigint();
    phase = {
      concurrency: message.concurrency,
      startedAt,
      endsAt: startedAt + BigInt(Math.round(message.seconds * 1e9)),
      record: message.record === true,
      latencies: new Float64Array(4096),
      recorded: 0,
      answered: 0,
      errors: 0,
      lastAnswerAt: undefined,
      maxOutstanding: 0,
      maxParked: parked.length,
    };
    dispatchAll();
    // The phase also ends on time when the runtime never answers anything more.
    setTimeout(finishIfDrained, message.seconds * 1000 + 1).unref();
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close();
    process.disconnect?.();
  }
});

server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: server.address().port });
});
