#!/usr/bin/env node
// Soak: one echo runtime process under the in-process Runtime API emulator, N sequential
// invocations (about 1% asking the function to fail). Checks that every invocation was answered
// exactly once and reports the runtime's RSS and the invoke → answer latency.
//
//   pnpm soak                      # tsc -b, then 100 000 invocations
//   node bench/soak.mjs --count 5000
//
// The emulator records every request it receives (emulator.requests) for as long as it lives. The
// script therefore counts answers per request id itself, incrementally, and then empties that
// record (it is the emulator's live array) so a long soak does not grow the parent process by
// ~200 000 records; pass --keep-requests to leave it alone. The emulator also keeps the runtime's
// whole stdout as a string and one small entry per finished request id; both grow with N.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';

const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    'fail-every': { type: 'string', default: '100' },
    'keep-requests': { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '30000' },
  },
});
const count = Number(flags.count);
const failEvery = Number(flags['fail-every']);
const timeoutMs = Number(flags['timeout-ms']);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(failEvery) || failEvery < 1) {
  process.stderr.write('usage: node bench/soak.mjs [--count N>0] [--fail-every K>0] [--keep-requests]\n');
  process.exit(2);
}

const bootstrap = fileURLToPath(new URL('../examples/echo/bootstrap', import.meta.url));
const SAMPLE_EVERY = Math.max(1, Math.floor(count / 10));

/** VmRSS of a process in KiB, from /proc (Linux only); `undefined` once the process is gone. */
function rssKib(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const mib = (kib) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);

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

const emulator = await RuntimeApiEmulator.start({ functionName: 'echo-soak' });
// NODE_EXTRA_CA_CERTS would make node load a certificate bundle at start and inflate the RSS.
const runtime = emulator.spawn({ command: bootstrap, env: { NODE_EXTRA_CA_CERTS: undefined } });

/** Answers (POST /response or /error) seen per request id. */
const answers = new Map();
let nextPolls = 0;
let initErrors = 0;
let scanned = 0;
let trimmed = 0;

/** Counts the records that arrived since the last call, then drops them from the emulator's log. */
function collect() {
  const records = emulator.requests;
  for (let i = scanned; i < records.length; i += 1) {
    const record = records[i];
    if (record.endpoint === 'next') nextPolls += 1;
    else if (record.endpoint === 'init-error') initErrors += 1;
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
        trimmed += before;
        scanned = 0;
      }
    } catch {
      // A frozen or copied array: keep the index-based scan, memory just grows.
    }
  }
}

const sent = [];
const latencies = new Float64Array(count);
const rssSamples = [];
let wrongOutcomes = 0;
let failuresAsked = 0;
let stoppedBy;

await until(() => emulator.requests.some((r) => r.endpoint === 'next'), 10_000);
const rssAfterInit = rssKib(runtime.pid);
let rssAfterFirst;
const wallStart = performance.now();

for (let i = 0; i < count; i += 1) {
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
    stoppedBy = `the runtime exited during invocation ${i}`;
    break;
  }
  const expected = fail ? 'error' : 'success';
  if (result.status !== expected || (fail && result.errorType !== 'EchoRequestedError')) wrongOutcomes += 1;
  if (i === 0) rssAfterFirst = rssKib(runtime.pid);
  if ((i + 1) % 1000 === 0) collect();
  if ((i + 1) % SAMPLE_EVERY === 0) rssSamples.push([i + 1, rssKib(runtime.pid)]);
}
const wallMs = performance.now() - wallStart;

// A late duplicate would arrive before the runtime parks its next /next; wait for that poll.
await until(() => {
  collect();
  return nextPolls >= sent.length + 1;
}, 5_000);
collect();
const rssEnd = rssKib(runtime.pid);
const parentRss = Math.round(process.memoryUsage().rss / 1024);
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
const ms = (value) => `${value.toFixed(3)} ms`;

const lines = [
  `soak: ${bootstrap}`,
  `invocations requested     ${count} (every ${failEvery}th asks to fail: ${failuresAsked})`,
  `invocations sent          ${sent.length}`,
  `answered exactly once     ${once}`,
  `duplicates                ${duplicates}`,
  `missing                   ${missing}`,
  `answers for unknown ids   ${strays}`,
  `wrong outcome             ${wrongOutcomes}`,
  `init errors               ${initErrors}`,
  `runtime RSS after init    ${mib(rssAfterInit)}`,
  `runtime RSS after 1st     ${mib(rssAfterFirst)}`,
  `runtime RSS at end        ${mib(rssEnd)}`,
  `runtime RSS samples       ${rssSamples.map(([n, kib]) => `${n}:${mib(kib)}`).join('  ')}`,
  `latency p50               ${ms(percentile(sorted, 50))}`,
  `latency p99               ${ms(percentile(sorted, 99))}`,
  `latency max               ${ms(sorted.at(-1) ?? Number.NaN)}`,
  `wall time                 ${(wallMs / 1000).toFixed(1)} s (${Math.round((sent.length / wallMs) * 1000)} invocations/s)`,
  `emulator records trimmed  ${flags['keep-requests'] ? 'no (--keep-requests)' : trimmed}`,
  `soak process RSS at end   ${mib(parentRss)}`,
];
if (stoppedBy !== undefined) lines.push(`stopped early             ${stoppedBy}`);
if (runtimeExit !== undefined) lines.push(`runtime exited early      ${JSON.stringify(runtimeExit)}`);
process.stdout.write(`${lines.join('\n')}\n`);

const ok =
  stoppedBy === undefined &&
  sent.length === count &&
  once === sent.length &&
  strays === 0 &&
  wrongOutcomes === 0;
process.stdout.write(ok ? 'PASS\n' : 'FAIL: every invocation must be answered exactly once, as asked\n');
process.exitCode = ok ? 0 : 1;
