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
import {
  ACCEPTED,
  ACCEPTED_HEADERS,
  EVENT,
  INVOCATION_PREFIX,
  latencySummary,
  NEXT_PATH,
  requestId,
  send,
  serveRuntimeApi,
  writeEventHead,
} from './lib/runtime-api-server.mjs';

/** Parked GET /next responses, oldest first. */
let parked = [];
/** Unanswered invocations by request id: the time their event was sent. */
const outstanding = new Map();
let counter = 0;
let phase = null; // { concurrency, endsAt, record, startedAt, lastAnswerAt, latencies, recorded, errors, maxOutstanding, maxParked }
let pollWaiter = null; // { n }

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
  const id = requestId(counter);
  writeEventHead(res, id, 'bench-concurrency');
  outstanding.set(id, process.hrtime.bigint());
  if (outstanding.size > phase.maxOutstanding) phase.maxOutstanding = outstanding.size;
  res.end(EVENT);
}

function finishIfDrained() {
  if (phase === null || outstanding.size > 0) return;
  if (process.hrtime.bigint() < phase.endsAt) return;
  const p = phase;
  phase = null;
  send({
    type: 'done',
    n: p.answered,
    errors: p.errors,
    wallNs: Number((p.lastAnswerAt ?? p.startedAt) - p.startedAt),
    maxOutstanding: p.maxOutstanding,
    maxParked: p.maxParked,
    ...latencySummary(p.latencies, p.recorded),
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

serveRuntimeApi(
  (req, res) => {
    const url = req.url;
    if (req.method === 'GET' && url === NEXT_PATH) {
      onNext(req, res);
      return true;
    }
    if (req.method === 'POST' && url.startsWith(INVOCATION_PREFIX)) {
      const rest = url.slice(INVOCATION_PREFIX.length);
      const slash = rest.indexOf('/');
      const id = rest.slice(0, slash);
      const endpoint = rest.slice(slash + 1);
      if (endpoint === 'response' || endpoint === 'error') {
        onAnswer(req, res, id, endpoint === 'error');
        return true;
      }
    }
    return false;
  },
  (message) => {
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
    }
  },
);
