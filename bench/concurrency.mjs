#!/usr/bin/env node
// The Lambda Managed Instances benchmark (issue 14, item 5). Run from the repository root after a
// build: `node bench/concurrency.mjs` (options: --help).
//
// For every run, every concurrency N (1, 4, 16, 64 by default) and every variant (interleaved, order
// rotated per run) it spawns the runtime in a Lambda-like environment against
// bench/concurrency-server.mjs (a Runtime API in its own process that keeps up to N invocations
// outstanding), waits until the runtime has parked its /next polls, drives a warm-up phase, then a
// measured phase of --seconds during which every answered invocation is replaced at once, and takes:
//   - throughput: invocations answered / wall time of the phase (first event sent -> last answer);
//   - CPU per invocation: utime+stime of the runtime from /proc/<pid>/stat over the phase / invocations;
//   - latency p50/p99: the server's event-sent -> answer-received time per invocation.
// The handler awaits 20 ms on a timer (--io-ms), so the ceiling is N / 20 ms invocations per second.
// Writes results/concurrency.json, concurrency.md and concurrency.svg; progress goes to stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderLineChart } from './chart.mjs';
import { lambdaEnvironment } from './lib/lambda-environment.mjs';
import {
  clockTicks,
  cpuTicks,
  describeMachine,
  gitDescription,
  loadAverage,
  machineIdleTicks,
  stats,
  statusField,
} from './lib/process-stats.mjs';
import { spawnRuntime } from './lib/runtime-process.mjs';
import { selectVariants } from './lib/select-variants.mjs';
import { startServerProcess } from './lib/server-process.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOGS = join(tmpdir(), 'lambda-runtime-bench');

/**
 * The variants, as data. `env(n)` gives the variables that set the concurrency; `polls(n)` is how many
 * /next the runtime parks once ready (the measurement starts after that).
 */
const VARIANTS = [
  {
    name: 'baseline',
    entry: 'bench/concurrency-baseline.mjs',
    description:
      'hand-written node:http client, N worker loops each holding one /next (keep-alive agent, N sockets)',
    env: (n) => ({ AWS_LAMBDA_MAX_CONCURRENCY: String(n) }),
    polls: (n) => n,
  },
  {
    name: 'single',
    entry: 'bench/concurrency-function.mjs',
    description: 'our runtime, single-concurrency loop (no AWS_LAMBDA_MAX_CONCURRENCY): one /next at a time',
    env: () => ({}),
    polls: () => 1,
  },
  {
    name: 'concurrent',
    entry: 'bench/concurrency-function.mjs',
    description: 'our runtime with AWS_LAMBDA_MAX_CONCURRENCY=N: N /next in flight, up to N handlers at once',
    env: (n) => ({ AWS_LAMBDA_MAX_CONCURRENCY: String(n) }),
    polls: (n) => n,
  },
  {
    name: 'workers',
    entry: 'bench/concurrency-function.mjs',
    description:
      'our runtime with AWS_LAMBDA_MAX_CONCURRENCY=N and AWS_LAMBDA_NODEJS_WORKER_COUNT=2: the N polls split over two worker threads (one at N=1)',
    env: (n) => ({ AWS_LAMBDA_MAX_CONCURRENCY: String(n), AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }),
    polls: (n) => n,
  },
];

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,4,16,64' },
    seconds: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '1' },
    'io-ms': { type: 'string', default: '20' },
    variants: { type: 'string', default: VARIANTS.map((v) => v.name).join(',') },
    out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'node bench/concurrency.mjs [--runs 3] [--concurrency 1,4,16,64] [--seconds 5] [--warmup-seconds 1]\n' +
      '  [--io-ms 20] [--variants a,b] [--out dir]\n' +
      `variants: ${VARIANTS.map((v) => `${v.name} (${v.description})`).join('; ')}\n`,
  );
  process.exit(0);
}
const RUNS = positiveNumber('runs', flags.runs, true);
const LEVELS = flags.concurrency.split(',').map((n) => positiveNumber('concurrency', n, true));
const SECONDS = positiveNumber('seconds', flags.seconds);
const WARMUP_SECONDS = positiveNumber('warmup-seconds', flags['warmup-seconds'], false, 0);
const IO_MS = positiveNumber('io-ms', flags['io-ms']);
const selected = selectVariants(flags.variants, VARIANTS);
const OUT = resolve(flags.out);
const CLK_TCK = clockTicks();

const METRICS = [
  { key: 'throughput', label: 'invocations/s', digits: 0 },
  { key: 'efficiency', label: 'of N / handler time', digits: 0, percent: true },
  { key: 'cpuPerInvocationUs', label: 'CPU / invocation (µs)', digits: 0 },
  { key: 'cpuCores', label: 'CPU (cores)', digits: 2 },
  { key: 'serverCpuCores', label: 'server CPU (cores)', digits: 2 },
  { key: 'idleCores', label: 'machine idle (cores)', digits: 2 },
  { key: 'latencyP50Ms', label: 'latency p50 (ms)', digits: 1 },
  { key: 'latencyP99Ms', label: 'latency p99 (ms)', digits: 1 },
];

const log = (line) => process.stderr.write(`${line}\n`);
const machine = describeMachine();
log(
  `concurrency: ${RUNS} runs x N ∈ {${LEVELS.join(', ')}} x [${selected.map((v) => v.name).join(', ')}], ` +
    `${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured each; handler awaits ${IO_MS} ms (timer)`,
);
log(
  `concurrency: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageStart.join(' ')}`,
);

mkdirSync(LOGS, { recursive: true });
const server = await startServerProcess(join(ROOT, 'bench', 'concurrency-server.mjs'));
/** The runtime being measured, so that an interrupted run leaves no process behind. */
let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    current?.kill('SIGKILL');
    server.kill();
    process.exit(130);
  });
}
const samples = {};
for (const variant of selected) samples[variant.name] = Object.fromEntries(LEVELS.map((n) => [n, []]));
const startedAt = Date.now();
try {
  for (let run = 0; run < RUNS; run += 1) {
    for (const n of LEVELS) {
      const order = selected.map((_, i) => selected[(i + run) % selected.length]);
      for (const variant of order) {
        const sample = await measure(server, variant, n);
        samples[variant.name][n].push(sample);
        log(
          `run ${run + 1}/${RUNS} N=${String(n).padEnd(3)} ${variant.name.padEnd(10)} ${sample.throughput.toFixed(0).padStart(5)} inv/s ` +
            `(${(sample.efficiency * 100).toFixed(0)}% of ${((n * 1000) / IO_MS).toFixed(0)}), CPU ${sample.cpuPerInvocationUs.toFixed(0)} µs/inv ` +
            `(${sample.cpuCores.toFixed(2)} cores), p99 ${sample.latencyP99Ms.toFixed(1)} ms, max outstanding ${sample.maxOutstanding}  ` +
            `[${((Date.now() - startedAt) / 1000).toFixed(0)} s]`,
        );
      }
    }
  }
} finally {
  server.stop();
}

const summary = {};
for (const variant of selected) {
  summary[variant.name] = {};
  for (const n of LEVELS) {
    summary[variant.name][n] = {};
    for (const key of [...METRICS.map((m) => m.key), 'invocations', 'maxOutstanding']) {
      summary[variant.name][n][key] = stats(samples[variant.name][n].map((s) => s[key]));
    }
  }
}
machine.loadAverageEnd = loadAverage();
const report = {
  generatedAt: new Date().toISOString(),
  command: reproduceCommand(),
  commit: gitDescription(ROOT),
  machine,
  settings: {
    runs: RUNS,
    concurrency: LEVELS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    ioMs: IO_MS,
    clockTicksPerSecond: CLK_TCK,
  },
  durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  variants: selected.map(({ name, entry, description }) => ({ name, entry, description })),
  summary,
  samples,
};
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'concurrency.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(OUT, 'concurrency.md'), renderMarkdown(report));
writeFileSync(join(OUT, 'concurrency.svg'), renderSvg(report));
process.stdout.write(`\n${renderConsole(report)}\n`);
log(
  `concurrency: wrote ${join(OUT, 'concurrency.json')}, concurrency.md, concurrency.svg in ${report.durationSeconds} s`,
);

// ---------------------------------------------------------------------------------------------

/** One spawn of `variant` at concurrency `n`: warm-up, then the measured phase. */
async function measure(server, variant, n) {
  server.send({ type: 'arm' });
  const { child, exited, until } = spawnRuntime({
    args: [join(ROOT, variant.entry)],
    cwd: ROOT,
    env: {
      ...lambdaEnvironment({ port: server.port, taskRoot: ROOT, name: 'bench-concurrency', memoryMiB: 2048 }),
      BENCH_IO_MS: String(IO_MS),
      ...variant.env(n),
    },
    logPath: join(LOGS, `concurrency-${variant.name}-${n}.log`),
    name: `${variant.name} (N=${n})`,
  });
  current = child;
  try {
    const expected = variant.polls(n);
    server.send({ type: 'wait-polls', n: expected });
    await until(server.next('polls', 30_000, `${variant.name} (N=${n}) to park ${expected} /next`));
    if (WARMUP_SECONDS > 0) {
      server.send({ type: 'drive', seconds: WARMUP_SECONDS, concurrency: n, record: false });
      await until(server.next('done', 60_000 + WARMUP_SECONDS * 1000, 'done'));
    }
    const before = cpuTicks(child.pid);
    const serverBefore = cpuTicks(server.pid);
    const idleBefore = machineIdleTicks();
    server.send({ type: 'drive', seconds: SECONDS, concurrency: n, record: true });
    const phase = await until(server.next('done', 60_000 + SECONDS * 1000, 'done'));
    const after = cpuTicks(child.pid);
    const serverAfter = cpuTicks(server.pid);
    const idleAfter = machineIdleTicks();
    if (phase.errors > 0)
      throw new Error(`${variant.name} (N=${n}) answered ${phase.errors} invocations with /error`);
    if (phase.n === 0) throw new Error(`${variant.name} (N=${n}) answered nothing`);
    const wallSeconds = phase.wallNs / 1e9;
    const cpuSeconds = (after - before) / CLK_TCK;
    const throughput = phase.n / wallSeconds;
    return {
      invocations: phase.n,
      throughput,
      efficiency: throughput / ((n * 1000) / IO_MS),
      cpuPerInvocationUs: (cpuSeconds * 1e6) / phase.n,
      cpuCores: cpuSeconds / wallSeconds,
      serverCpuCores: (serverAfter - serverBefore) / CLK_TCK / wallSeconds,
      idleCores: (idleAfter - idleBefore) / CLK_TCK / wallSeconds,
      latencyP50Ms: phase.p50Ns / 1e6,
      latencyP99Ms: phase.p99Ns / 1e6,
      maxOutstanding: phase.maxOutstanding,
      peakRssMiB: statusField(child.pid, 'VmHWM', Number.NaN) / 1024,
    };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

function reproduceCommand() {
  const parts = [
    'node bench/concurrency.mjs',
    `--runs ${RUNS}`,
    `--concurrency ${LEVELS.join(',')}`,
    `--seconds ${SECONDS}`,
  ];
  if (WARMUP_SECONDS !== 1) parts.push(`--warmup-seconds ${WARMUP_SECONDS}`);
  if (IO_MS !== 20) parts.push(`--io-ms ${IO_MS}`);
  parts.push(`--variants ${selected.map((v) => v.name).join(',')}`);
  return parts.join(' ');
}

function format(value, metric) {
  return metric.percent ? `${(value * 100).toFixed(metric.digits)}%` : value.toFixed(metric.digits);
}

/** One row per (N, variant): medians, with min–max for throughput and p99. */
function rows(report, withRange) {
  const out = [];
  for (const n of report.settings.concurrency) {
    for (const v of report.variants) {
      const s = report.summary[v.name][n];
      out.push([
        String(n),
        v.name,
        ...METRICS.map((m) => {
          const cell = format(s[m.key].median, m);
          return withRange && (m.key === 'throughput' || m.key === 'latencyP99Ms')
            ? `${cell} (${format(s[m.key].min, m)}–${format(s[m.key].max, m)})`
            : cell;
        }),
      ]);
    }
  }
  return out;
}

function header() {
  return ['N', 'variant', ...METRICS.map((m) => m.label)];
}

function renderMarkdown(report) {
  const m = report.machine;
  const { settings } = report;
  const table = [header(), header().map((_, i) => (i < 2 ? ':--' : '--:')), ...rows(report, true)]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');
  return [
    `Medians over ${settings.runs} runs (min–max in parentheses); each run: ${settings.warmupSeconds} s warm-up, then ${settings.seconds} s with N invocations kept outstanding. The handler awaits ${settings.ioMs} ms on a timer, so the ceiling ("N / handler time") is N × ${(1000 / settings.ioMs).toFixed(0)} invocations/s.`,
    '',
    table,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}; load average ${m.loadAverageStart.join(' ')} at start, ${m.loadAverageEnd.join(' ')} at end. Run on ${report.generatedAt.slice(0, 10)} at commit ${report.commit}, ${report.durationSeconds} s.`,
    '',
    `Reproduce: \`pnpm exec tsc -b && ${report.command}\``,
    '',
    'Variants:',
    '',
    ...report.variants.map((v) => `- \`${v.name}\`: ${v.description} (\`${v.entry}\`)`),
    '',
    'Method:',
    '',
    '- Runtime API: bench/concurrency-server.mjs, a minimal node:http server in its own process (sharing the same cores), which answers parked /next polls with an event while fewer than N invocations are unanswered.',
    `- Throughput: invocations answered in the measured phase / its wall time (first event sent → last answer received). CPU: utime+stime of the runtime process (all threads) from /proc/<pid>/stat over the phase, divided by the invocations (clock tick ${1000 / settings.clockTicksPerSecond} ms). CPU (cores): the same CPU time / wall time; server CPU (cores): the Runtime API server's, measured the same way; machine idle (cores): idle + iowait time of all cores from /proc/stat over the phase / wall time (other processes on the machine take the rest). Latency: the server's event-sent → answer-received time.`,
    "- Each (variant, N) is a fresh process, spawned with Lambda's reserved variables only, measured once it has parked its /next polls.",
    '',
  ].join('\n');
}

function renderConsole(report) {
  const all = [header(), ...rows(report, false)];
  const widths = header().map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all
    .map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

function renderSvg(report) {
  const { settings } = report;
  const xs = settings.concurrency;
  const median = (name, key) => xs.map((n) => report.summary[name][n][key].median);
  const names = report.variants.map((v) => v.name);
  return renderLineChart({
    title: 'Managed Instances: throughput, CPU and p99 latency against concurrency N',
    subtitle: `Handler awaits ${settings.ioMs} ms (timer); medians of ${settings.runs} runs × ${settings.seconds} s; ${report.machine.cpuModel}, ${report.machine.cores} cores, Node ${report.machine.node}`,
    xLabel: 'concurrency N',
    xs,
    panels: [
      {
        title: 'invocations / s (log scale)',
        log: true,
        digits: 0,
        series: [
          {
            name: `N / ${settings.ioMs} ms`,
            values: xs.map((n) => (n * 1000) / settings.ioMs),
            dashed: true,
          },
          ...names.map((name) => ({ name, values: median(name, 'throughput') })),
        ],
      },
      {
        title: 'CPU per invocation (µs)',
        digits: 0,
        series: names.map((name) => ({ name, values: median(name, 'cpuPerInvocationUs') })),
      },
      {
        title: 'latency p99 (ms, log scale)',
        log: true,
        digits: 1,
        series: names.map((name) => ({ name, values: median(name, 'latencyP99Ms') })),
      },
    ],
  });
}

function positiveNumber(name, text, integer = false, min = Number.MIN_VALUE) {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    process.stderr.write(
      `--${name} must be a ${integer ? 'whole ' : ''}number ≥ ${min === Number.MIN_VALUE ? '>0' : min}, got ${text}\n`,
    );
    process.exit(2);
  }
  return value;
}
