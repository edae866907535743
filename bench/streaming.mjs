#!/usr/bin/env node
// The streaming benchmark (issue 13, item 6). Run from the repository root after `pnpm exec tsc -b`:
//   node bench/streaming.mjs [--mib 64] [--runs 11] [--chunk-kib 64] [--variants a,b] [--out dir]
//
// Each client in streaming-variants.mjs sends one streamed POST (HTTP/1.1 chunked) of a 16-byte
// first chunk (a token) and then `--mib` MiB in `--chunk-kib` KiB writes, honouring its own
// backpressure, to a local sink (streaming-server.mjs, a raw node:net server in its own process
// that reads as fast as the socket delivers). Per run and variant:
//   - time to first byte: the median of 5 streams of the first chunk alone, each from
//     process.hrtime (CLOCK_MONOTONIC, one clock for both processes) just before the client opens
//     the stream to the sink receiving the first body byte (connect, head, first chunk);
//   - throughput: MiB sent / (client opens the stream -> the sink has the terminator).
// Variants run interleaved (order rotated per run) after one unmeasured warm-up stream each, all
// in this process; the figures are medians over the runs (min–max alongside), and the ratios the
// median over the runs of each run's ratio to the hand-written node:http baseline of that run. Writes results/streaming.json and
// results/streaming.md (the Markdown table for the README). Progress goes to stderr.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STREAMING_BASELINE, STREAMING_VARIANTS } from './streaming-variants.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    mib: { type: 'string', default: '64' },
    runs: { type: 'string', default: '11' },
    'chunk-kib': { type: 'string', default: '64' },
    variants: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'node bench/streaming.mjs [--mib 64] [--runs 11] [--chunk-kib 64] [--variants a,b] [--out dir]\n' +
      `variants: ${STREAMING_VARIANTS.map((v) => v.name).join(', ')}\n`,
  );
  process.exit(0);
}
const MIB = positive('mib', flags.mib);
const RUNS = positive('runs', flags.runs);
const CHUNK = positive('chunk-kib', flags['chunk-kib']) * 1024;
const selected =
  flags.variants === undefined
    ? STREAMING_VARIANTS
    : flags.variants.split(',').map((name) => {
        const variant = STREAMING_VARIANTS.find((v) => v.name === name);
        if (variant === undefined) throw new Error(`unknown variant ${name}`);
        return variant;
      });

const HEADERS = {
  'Lambda-Runtime-Function-Response-Mode': 'streaming',
  'Content-Type': 'application/octet-stream',
  Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
};
/** @param {number} mib */
const plan = (mib) => ({
  path: '/2018-06-01/runtime/invocation/bench-stream/response',
  headers: HEADERS,
  firstChunk: Buffer.from('{"token":"first"}'),
  chunk: Buffer.alloc(CHUNK, 0x78),
  chunks: Math.ceil((mib * 1024 * 1024) / CHUNK),
});

/** Token-only streams per run and variant; their median is the run's time to first byte. */
const TOKEN_STREAMS = 5;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sink = fork(join(ROOT, 'bench', 'streaming-server.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const reports = [];
let waiting;
sink.on('message', (message) => {
  if (message.stream !== undefined) {
    reports.push(message.stream);
    waiting?.();
  }
});
const port = await new Promise((resolvePort) =>
  sink.on('message', (message) => message.port !== undefined && resolvePort(message.port)),
);
const origin = `http://127.0.0.1:${port}`;

/** Sends one stream and returns its figures. */
async function measure(variant, mib) {
  const before = reports.length;
  const reported = new Promise((resolveReport) => {
    waiting = () => reports.length > before && resolveReport(reports[before]);
  });
  const openedAt = process.hrtime.bigint();
  const status = await variant.stream(origin, plan(mib));
  const report = await reported;
  if (status !== 202) throw new Error(`${variant.name}: answered ${status}`);
  const wireMiB = report.wireBytes / 1024 / 1024;
  const seconds = Number(BigInt(report.endAt) - openedAt) / 1e9;
  return {
    ttfbMs: Number(BigInt(report.firstByteAt) - openedAt) / 1e6,
    mibPerSecond: (plan(mib).chunks * CHUNK + plan(mib).firstChunk.length) / 1024 / 1024 / seconds,
    wireMiB,
  };
}

const machine = {
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
  os: `${type()} ${release()}`,
  node: process.versions.node,
  loadAverageStart: loadavg().map((l) => Number(l.toFixed(2))),
};
process.stderr.write(
  `streaming bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageStart.join(' ')}\n` +
    `  ${MIB} MiB in ${CHUNK / 1024} KiB writes, ${RUNS} runs, variants ${selected.map((v) => v.name).join(', ')}\n`,
);
for (const variant of selected) await measure(variant, Math.min(MIB, 16));

const samples = Object.fromEntries(selected.map((v) => [v.name, []]));
for (let run = 0; run < RUNS; run += 1) {
  const order = selected.map((_, i) => selected[(i + run) % selected.length]);
  for (const variant of order) {
    const ttfbs = [];
    for (let i = 0; i < TOKEN_STREAMS; i += 1) ttfbs.push((await measure(variant, 0)).ttfbMs);
    const figures = { ...(await measure(variant, MIB)), ttfbMs: median(ttfbs) };
    samples[variant.name].push(figures);
    process.stderr.write(
      `  run ${run + 1}/${RUNS} ${variant.name.padEnd(8)} ttfb ${figures.ttfbMs.toFixed(2)} ms, ${figures.mibPerSecond.toFixed(0)} MiB/s\n`,
    );
  }
}
sink.disconnect();

const summary = selected.map((variant) => {
  const list = samples[variant.name];
  const stat = (key) => ({
    median: median(list.map((s) => s[key])),
    min: Math.min(...list.map((s) => s[key])),
    max: Math.max(...list.map((s) => s[key])),
  });
  return {
    name: variant.name,
    description: variant.description,
    ttfbMs: stat('ttfbMs'),
    mibPerSecond: stat('mibPerSecond'),
  };
});
// Ratios are taken run by run (the baseline ran in the same round, under the same load) and their
// median reported: the load of a shared machine drifts between rounds more than within one.
const base = samples[STREAMING_BASELINE];
for (const entry of summary) {
  const own = samples[entry.name];
  const perRun = (key) => median(own.map((s, run) => s[key] / base[run][key]));
  entry.ttfbRatio = base === undefined ? undefined : perRun('ttfbMs');
  entry.throughputRatio = base === undefined ? undefined : perRun('mibPerSecond');
}
machine.loadAverageEnd = loadavg().map((l) => Number(l.toFixed(2)));

const command = `node bench/streaming.mjs --mib ${MIB} --runs ${RUNS} --chunk-kib ${CHUNK / 1024}${flags.variants === undefined ? '' : ` --variants ${flags.variants}`}`;
const ratio = (value) => (value === undefined ? '–' : `${value.toFixed(2)}×`);
const rows = summary.map(
  (s) =>
    `| ${s.name} | ${s.ttfbMs.median.toFixed(2)} (${s.ttfbMs.min.toFixed(2)}–${s.ttfbMs.max.toFixed(2)}) | ${ratio(s.ttfbRatio)} | ` +
    `${s.mibPerSecond.median.toFixed(0)} (${s.mibPerSecond.min.toFixed(0)}–${s.mibPerSecond.max.toFixed(0)}) | ${ratio(s.throughputRatio)} | ${s.description} |`,
);
const markdown = [
  `| client | time to first byte, ms | vs baseline | throughput, MiB/s | vs baseline | what |`,
  '|---|---:|---:|---:|---:|---|',
  ...rows,
  '',
  `Medians of ${RUNS} interleaved runs (min–max), to a local raw node:net sink in its own process that reads as fast as it can. ` +
    `Time to first byte: a 17-byte first chunk, from opening the stream (connect included) to the sink having its first byte, median of ${TOKEN_STREAMS} streams per run. ` +
    `Throughput: ${MIB} MiB in ${CHUNK / 1024} KiB writes, each client honouring its own backpressure, from opening the stream to the sink having the terminator. ` +
    'Lower time to first byte and higher throughput are better. "vs baseline": the median over the runs of the ratio to the baseline in the same run.',
  `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadAverageStart.join(' ')} → ${machine.loadAverageEnd.join(' ')}.`,
  `Command: \`pnpm exec tsc -b && ${command}\``,
  '',
].join('\n');
const out = resolve(flags.out);
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'streaming.json'),
  `${JSON.stringify({ command, machine, summary, samples }, null, 2)}\n`,
);
writeFileSync(join(out, 'streaming.md'), markdown);
process.stdout.write(`${markdown}\n`);
process.stderr.write(`streaming bench: wrote ${join(out, 'streaming.json')} and streaming.md\n`);

function positive(name, value) {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new Error(`--${name} must be a positive integer`);
  return number;
}
