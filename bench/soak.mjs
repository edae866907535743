#!/usr/bin/env node
// Soak: each subject (our runtime, then the hand-written node:http baseline) is one process under
// the in-process Runtime API emulator, given --warmup and then --count sequential invocations (every
// --fail-every-th asks the function to fail). Checks that every invocation of each was answered
// exactly once, with the outcome asked for, and reports RSS over the measured invocations (from
// /proc, at their start and end, and sampled ten times between) side by side, with the
// invoke -> answer latency.
//
//   pnpm soak                                 # the build, then 1,000 + 100,000 invocations per subject: about 2 minutes
//   node bench/soak.mjs --count 5000
//   node bench/soak.mjs --help
//
// The emulator records every request it receives (emulator.requests) for as long as it lives. The
// script therefore counts answers per request id itself, incrementally, and then empties that
// record (it is the emulator's live array) so a long soak does not grow the parent process by
// ~200 000 records; pass --keep-requests to leave it alone. The emulator also keeps the runtime's
// whole stdout as a string and one small entry per finished request id; both grow with N (in this
// process, not in the one measured).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { describeMachine } from './lib/process-stats.mjs';

const USAGE = `node bench/soak.mjs [options]   (pnpm soak = build, then this with the defaults)
  --count N          measured invocations per subject (default 100000)
  --warmup N         invocations before measuring starts, also checked (default 1000)
  --fail-every K     every K-th invocation asks the function to fail (default 100)
  --subjects a,b     runtime (examples/echo, defaultRuntime), baseline (node:http loop); default both
  --timeout-ms MS    per-invocation timeout (default 30000)
  --keep-requests    keep the emulator's request log (the parent then grows with N)
  --help
Exits 0 when every invocation of every subject was answered exactly once with the outcome asked for.
`;

/** What the soak runs: our runtime, and the bench's hand-written node:http loop as the reference. */
const SUBJECTS = {
  runtime: {
    description: 'examples/echo (defaultRuntime) through its bootstrap',
    command: fileURLToPath(new URL('../examples/echo/bootstrap', import.meta.url)),
    args: [],
  },
  baseline: {
    description: 'bench/variants/baseline-node-http.mjs (hand-written node:http loop)',
    command: process.execPath,
    args: [fileURLToPath(new URL('./variants/baseline-node-http.mjs', import.meta.url))],
  },
};

let flags;
try {
  ({ values: flags } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      count: { type: 'string', default: '100000' },
      warmup: { type: 'string', default: '1000' },
      'fail-every': { type: 'string', default: '100' },
      subjects: { type: 'string', default: Object.keys(SUBJECTS).join(',') },
      'keep-requests': { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`soak: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const count = integer('count', flags.count, 1);
const warmup = integer('warmup', flags.warmup, 0);
const failEvery = integer('fail-every', flags['fail-every'], 1);
const timeoutMs = integer('timeout-ms', flags['timeout-ms'], 1);
const subjects = flags.subjects
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const unknown = subjects.filter((name) => !(name in SUBJECTS));
if (unknown.length > 0 || subjects.length === 0) {
  process.stderr.write(
    `soak: unknown subject(s) ${unknown.join(', ') || '(none given)'}; known: ${Object.keys(SUBJECTS).join(', ')}\n`,
  );
  process.exit(2);
}

const machine = describeMachine();
const log = (line) => process.stderr.write(`${line}\n`);
log(
  `soak: ${warmup} + ${count} invocations x [${subjects.join(', ')}], every ${failEvery}th fails; ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`,
);

const results = [];
for (const name of subjects) {
  log(`soak: ${name}: ${SUBJECTS[name].description}...`);
  results.push({ name, ...(await soak(SUBJECTS[name])) });
}

const out = [];
for (const r of results) {
  out.push(
    `soak ${r.name}: ${SUBJECTS[r.name].description}`,
    `  invocations sent          ${r.sent} of ${warmup + count} (${warmup} warm-up; ${r.failuresAsked} asked to fail)`,
    `  answered exactly once     ${r.once}`,
    `  duplicates                ${r.duplicates}`,
    `  missing                   ${r.missing}`,
    `  answers for unknown ids   ${r.strays}`,
    `  wrong outcome             ${r.wrongOutcomes}`,
    `  init errors               ${r.initErrors}`,
    `  RSS after init            ${mib(r.rssAfterInit)}`,
    `  RSS samples               ${r.rssSamples.map(([n, kib]) => `${n}:${mib(kib)}`).join('  ')}`,
    `  peak RSS (VmHWM)          ${mib(r.peakRss)}`,
    `  latency p50 / p99 / max   ${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)}`,
    `  wall time                 ${(r.wallMs / 1000).toFixed(1)} s (${Math.round((r.sent / r.wallMs) * 1000)} invocations/s)`,
  );
  if (r.stoppedBy !== undefined) out.push(`  stopped early             ${r.stoppedBy}`);
  if (r.runtimeExit !== undefined) out.push(`  exited early              ${JSON.stringify(r.runtimeExit)}`);
  out.push('');
}
out.push(
  `RSS over the ${count.toLocaleString('en-US')} measured invocations (after ${warmup.toLocaleString('en-US')} warm-up invocations):`,
  '',
  `  ${'subject'.padEnd(10)} ${'at start'.padStart(10)} ${'at end'.padStart(10)} ${'growth'.padStart(11)} ${'end/start'.padStart(10)}`,
);
for (const r of results) {
  out.push(
    `  ${r.name.padEnd(10)} ${mib(r.rssStart).padStart(10)} ${mib(r.rssEnd).padStart(10)} ${signedMib(r.rssEnd - r.rssStart).padStart(11)} ${(r.rssEnd / r.rssStart).toFixed(3).padStart(10)}`,
  );
}
const ours = results.find((r) => r.name === 'runtime');
const base = results.find((r) => r.name === 'baseline');
if (ours !== undefined && base !== undefined) {
  out.push(
    '',
    `  runtime growth minus baseline growth: ${signedMib(ours.rssEnd - ours.rssStart - (base.rssEnd - base.rssStart))}`,
  );
}
out.push(
  '',
  `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.os}; Node ${machine.node}. emulator records trimmed: ${flags['keep-requests'] ? 'no (--keep-requests)' : results.reduce((sum, r) => sum + r.trimmed, 0)}; soak process RSS at end ${mib(Math.round(process.memoryUsage().rss / 1024))}.`,
);

const failed = results.filter(
  (r) =>
    r.stoppedBy !== undefined ||
    r.sent !== warmup + count ||
    r.once !== r.sent ||
    r.strays !== 0 ||
    r.wrongOutcomes !== 0,
);
out.push(
  failed.length === 0
    ? `PASS: every invocation of ${results.map((r) => r.name).join(' and ')} answered exactly once, as asked`
    : `FAIL (${failed.map((r) => r.name).join(', ')}): every invocation must be answered exactly once, as asked`,
);
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;

// ---------------------------------------------------------------------------------------------

/** One subject: spawn it under a fresh emulator, invoke it warmup + count times, check every answer. */
async function soak(subject) {
  const total = warmup + count;
  const sampleEvery = Math.max(1, Math.floor(count / 10));
  const emulator = await RuntimeApiEmulator.start({ functionName: 'echo-soak' });
  // NODE_EXTRA_CA_CERTS would make node load a certificate bundle at start and inflate the RSS.
  const runtime = emulator.spawn({
    command: subject.command,
    args: subject.args,
    env: { NODE_EXTRA_CA_CERTS: undefined, NODE_OPTIONS: undefined },
  });

  /** Answers (POST /response or /error) seen per request id. */
  const answers = new Map();
  const counts = { nextPolls: 0, initErrors: 0, trimmed: 0 };
  let scanned = 0;

  /** Counts the records that arrived since the last call, then drops them from the emulator's log. */
  function collect() {
    const records = emulator.requests;
    for (let i = scanned; i < records.length; i += 1) {
      const record = records[i];
      if (record.endpoint === 'next') counts.nextPolls += 1;
      else if (record.endpoint === 'init-error') counts.initErrors += 1;
      else if (
        (record.endpoint === 'response' || record.endpoint === 'error') &&
        record.requestId !== undefined
      ) {
        answers.set(record.requestId, (answers.get(record.requestId) ?? 0) + 1);
      }
    }
    scanned = records.length;
    if (!flags['keep-requests'] && records.length > 0) {
      try {
        const before = records.length;
        records.length = 0; // the live array; synchronous with the scan above, so nothing slips between
        if (emulator.requests.length === 0) {
          counts.trimmed += before;
          scanned = 0;
        }
      } catch {
        // A frozen or copied array: keep the index-based scan, memory just grows.
      }
    }
  }

  const sent = [];
  const latencies = new Float64Array(total);
  const rssSamples = [];
  let wrongOutcomes = 0;
  let failuresAsked = 0;
  let stoppedBy;
  let rssStart;

  await until(() => emulator.requests.some((r) => r.endpoint === 'next'), 10_000);
  const rssAfterInit = rssKib(runtime.pid);
  const wallStart = performance.now();

  for (let i = 0; i < total; i += 1) {
    const fail = i % failEvery === failEvery - 1;
    if (fail) failuresAsked += 1;
    const event = fail ? { fail: `soak ${i}` } : { i, text: 'soak' };
    const started = performance.now();
    let result;
    try {
      result = await emulator.invoke(event, { timeoutMs });
    } catch (error) {
      stoppedBy = `invocation ${i} got no answer: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
    latencies[i] = performance.now() - started;
    sent.push(result.requestId);
    if (result.via === 'exit') {
      stoppedBy = `the process exited during invocation ${i}`;
      break;
    }
    const expected = fail ? 'error' : 'success';
    if (result.status !== expected || (fail && result.errorType !== 'EchoRequestedError')) wrongOutcomes += 1;
    if (i + 1 === warmup) rssStart = rssKib(runtime.pid);
    if ((i + 1) % 1000 === 0) collect();
    if (i >= warmup && (i + 1 - warmup) % sampleEvery === 0)
      rssSamples.push([i + 1 - warmup, rssKib(runtime.pid)]);
  }
  const wallMs = performance.now() - wallStart;

  // A late duplicate would arrive before the runtime parks its next /next; wait for that poll.
  await until(() => {
    collect();
    return counts.nextPolls >= sent.length + 1;
  }, 5_000);
  collect();
  const rssEnd = rssKib(runtime.pid);
  const peakRss = statusKib(runtime.pid, 'VmHWM');
  const runtimeExit = runtime.exit;
  await emulator.close();

  let once = 0;
  let duplicates = 0;
  let missing = 0;
  for (const id of sent) {
    const seen = answers.get(id) ?? 0;
    if (seen === 1) once += 1;
    else if (seen === 0) missing += 1;
    else duplicates += 1;
  }
  const sentIds = new Set(sent);
  const strays = [...answers.keys()].filter((id) => !sentIds.has(id)).length;
  const sorted = Array.from(latencies.subarray(0, sent.length)).sort((a, b) => a - b);
  return {
    sent: sent.length,
    once,
    duplicates,
    missing,
    strays,
    wrongOutcomes,
    failuresAsked,
    initErrors: counts.initErrors,
    trimmed: counts.trimmed,
    rssAfterInit,
    rssStart: rssStart ?? rssAfterInit,
    rssEnd,
    peakRss,
    rssSamples,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    wallMs,
    stoppedBy,
    runtimeExit,
  };
}

/** VmRSS of a process in KiB, from /proc (Linux only); `undefined` once the process is gone. */
function rssKib(pid) {
  return statusKib(pid, 'VmRSS');
}

function statusKib(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function mib(kib) {
  return kib === undefined || Number.isNaN(kib) ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`;
}

function signedMib(kib) {
  return Number.isNaN(kib) ? 'n/a' : `${kib >= 0 ? '+' : '−'}${(Math.abs(kib) / 1024).toFixed(1)} MiB`;
}

function ms(value) {
  return `${value.toFixed(3)} ms`;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

async function until(condition, limitMs) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

function integer(name, text, min) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(`soak: --${name} must be an integer ≥ ${min}, got ${text}\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}
