// A minimal Runtime API for the benchmark, run in its own process (`fork`ed by bench/run.mjs, driven
// over the IPC channel). It is deliberately not @lambda-runtime/emulator: the emulator records every
// request, builds UUIDs and parses bodies, and that per-request cost would sit on the same 2 cores as
// the runtime being measured. This server serves /next with the §3.1 headers and one fixed small
// JSON event, accepts /response and /error (202), and keeps no history, only counters and latencies.
//
// Clock: every timestamp here and in run.mjs is `process.hrtime.bigint()`. On Linux that is libuv's
// uv_hrtime() = clock_gettime(CLOCK_MONOTONIC), one system-wide clock, so a value taken in this
// process and one taken in the parent just before spawn() are directly comparable (no wall-clock
// sync, no NTP steps). Values cross the IPC channel as decimal strings (JSON has no bigint).
//
// Protocol with the parent (process.send / 'message'):
//   parent -> { type: 'arm' }                 a new runtime is about to be spawned: forget timestamps,
//                                             serve exactly one invocation to the first /next
//   parent -> { type: 'drive', n, record }    serve n more invocations back to back; latencies are
//                                             kept when `record` is true
//   parent -> { type: 'ping' }                answered with { type: 'pong' } (IPC is ordered: all
//                                             earlier messages have been handled)
//   parent -> { type: 'stop' }                close and exit
//   child  -> { type: 'listening', port }
//   child  -> { type: 'cold', firstNextAt, firstResponseAt }   after the first answer of an armed runtime
//   child  -> { type: 'done', n, errors, wallNs, p50Ns, p99Ns, meanNs }  when the phase is over and
//                                             the runtime is parked on its next /next (idle)
//   child  -> { type: 'init-error', body } / { type: 'protocol-error', message }
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

let budget = 0; // invocations still to hand out in this phase
let recording = false;
let latencies = new Float64Array(0);
let recorded = 0;
let errors = 0;
let phaseStart = 0n;
let parked = null; // the runtime's pending GET /next response, when nothing is to be handed out
let inFlight = null; // { id, responsePath, errorPath, sentAt }
let counter = 0;
let armed = false;
let firstNextAt = 0n;
let firstResponseAt = 0n;
let phaseOpen = false;

function dispatch(res) {
  budget -= 1;
  counter += 1;
  const id = requestId(counter);
  inFlight = {
    id,
    responsePath: `${INVOCATION_PREFIX}${id}/response`,
    errorPath: `${INVOCATION_PREFIX}${id}/error`,
    sentAt: 0n,
  };
  writeEventHead(res, id, 'bench-echo');
  inFlight.sentAt = process.hrtime.bigint();
  res.end(EVENT);
}

function finishPhase() {
  if (!phaseOpen) return;
  phaseOpen = false;
  const wallNs = Number(process.hrtime.bigint() - phaseStart);
  send({ type: 'done', n: recorded, errors, wallNs, ...latencySummary(latencies, recorded) });
}

function onNext(_req, res) {
  if (armed && firstNextAt === 0n) firstNextAt = process.hrtime.bigint();
  if (inFlight !== null) {
    // A second /next while an invocation is unanswered breaks the single-concurrency contract.
    send({ type: 'protocol-error', message: `GET /next while ${inFlight.id} is unanswered` });
  }
  if (budget > 0) {
    dispatch(res);
    return;
  }
  parked = res;
  res.on('close', () => {
    if (parked === res) parked = null;
  });
  // The runtime is now idle on its next /next: the phase is over.
  finishPhase();
}

function onAnswer(req, res, isError) {
  req.on('data', noop);
  req.on('end', () => {
    const at = process.hrtime.bigint();
    const current = inFlight;
    inFlight = null;
    if (recording && current !== null) {
      latencies[recorded] = Number(at - current.sentAt);
      recorded += 1;
    }
    if (isError) errors += 1;
    res.writeHead(202, ACCEPTED_HEADERS);
    res.end(ACCEPTED);
    if (armed && firstResponseAt === 0n) {
      firstResponseAt = at;
      armed = false;
      send({ type: 'cold', firstNextAt: String(firstNextAt), firstResponseAt: String(firstResponseAt) });
    }
  });
}

function noop() {}

// The connections of runtimes spawned before the last `arm`. A runtime killed right after its first
// answer may have written its next GET /next in the same packet (pipelined); the server can read it
// after the arm, and serving it the new runtime's event would make the new runtime's /next look like
// a second poll. On arm they are destroyed, and anything still queued on them is dropped.
const connections = new Set();
const stale = new WeakSet();

const server = serveRuntimeApi(
  (req, res) => {
    if (stale.has(req.socket)) {
      req.socket.destroy();
      return true;
    }
    const url = req.url;
    if (req.method === 'GET' && url === NEXT_PATH) {
      onNext(req, res);
    } else if (req.method === 'POST' && inFlight !== null && url === inFlight.responsePath) {
      onAnswer(req, res, false);
    } else if (req.method === 'POST' && inFlight !== null && url === inFlight.errorPath) {
      onAnswer(req, res, true);
    } else {
      return false;
    }
    return true;
  },
  (message) => {
    if (message.type === 'arm') {
      for (const socket of connections) {
        stale.add(socket);
        socket.destroy();
      }
      connections.clear();
      armed = true;
      firstNextAt = 0n;
      firstResponseAt = 0n;
      inFlight = null;
      parked = null;
      budget = 1;
      recording = false;
      recorded = 0;
      errors = 0;
    } else if (message.type === 'drive') {
      budget = message.n;
      recording = message.record === true;
      if (latencies.length < message.n) latencies = new Float64Array(message.n);
      recorded = 0;
      errors = 0;
      phaseOpen = true;
      phaseStart = process.hrtime.bigint();
      if (parked !== null && budget > 0) {
        const res = parked;
        parked = null;
        dispatch(res);
      }
    } else if (message.type === 'ping') {
      send({ type: 'pong' });
    }
  },
);
server.on('connection', (socket) => {
  connections.add(socket);
  socket.once('close', () => connections.delete(socket));
});
