#!/usr/bin/env node
// The benchmark harness (issue 5). Run from the repository root: `pnpm bench` (= `tsc -b && node
// bench/run.mjs`), options after `--`: `pnpm bench -- --runs 10 --invocations 20000 --variants a,b`.
//
// For every run and every variant (variants interleaved, order rotated per run, so load from other
// processes on the machine spreads over all of them) it:
//   1. arms the minimal Runtime API (bench/server.mjs, a separate process) and spawns the runtime
//      with `node <entry>` in a Lambda-like environment (no inherited variables: NODE_EXTRA_CA_CERTS
//      in particular is removed, it adds ~50 ms to every node start);
//   2. cold start: spawn -> first GET /next received, spawn -> first /response received (the first
//      /next is answered at once with the event);
//   3. warm: `--warmup` invocations, then `--invocations` sequential invocations; runtime CPU is
//      user+sys from /proc/<pid>/stat across the measured ones, latency is the server's
//      event-sent -> response-received time (p50, p99);
//   4. peak RSS: VmHWM from /proc/<pid>/status at the end; then SIGKILL.
// Medians with min–max over the runs go to stdout (table), bench/results/latest.json,
// bench/results/table.md (for the README) and bench/results/chart.svg. Progress goes to stderr.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderChart } from './chart.mjs';
import { lambdaEnvironment } from './lib/lambda-environment.mjs';
import {
  clockTicks,
  cpuTicks,
  describeMachine,
  gitDescription,
  loadAverage,
  stats,
  statusField,
} from './lib/process-stats.mjs';
import { spawnRuntime } from './lib/runtime-process.mjs';
import { selectVariants } from './lib/select-variants.mjs';
import { startServerProcess } from './lib/server-process.mjs';
import { BASELINE, TARGETS, VARIANTS } from './variants.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const LOGS = join(tmpdir(), 'lambda-runtime-bench');

const { values: flags } = parseArgs({
  // `pnpm bench -- --runs 3` may pass the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '10' },
    invocations: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '1000' },
    variants: { type: 'string' },
    'node-args': { type: 'string' },
    out: { type: 'string', default: RESULTS },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'node bench/run.mjs [--runs 10] [--invocations 20000] [--warmup 1000] [--variants a,b] [--out dir]\n' +
      '  [--node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]  extra node flags for the runtimes; they are then\n' +
      "  stopped with SIGTERM (so profiles get written) and the figures include the flags' overhead\n" +
      `variants: ${VARIANTS.map((v) => v.name).join(', ')}\n`,
  );
  process.exit(0);
}
const RUNS = positiveInt('runs', flags.runs);
const INVOCATIONS = positiveInt('invocations', flags.invocations);
const WARMUP = positiveInt('warmup', flags.warmup, 0);
const selected = [...selectVariants(flags.variants, VARIANTS)];
const OUT = resolve(flags.out);
const NODE_ARGS = flags['node-args']?.split(' ').filter(Boolean) ?? [];

/** Metrics reported per variant: key, table header, unit, digits. */
const METRICS = [
  { key: 'spawnToNextMs', label: 'spawn → 1st /next', unit: 'ms', digits: 1 },
  { key: 'spawnToResponseMs', label: 'spawn → 1st response', unit: 'ms', digits: 1 },
  { key: 'cpuPerInvocationUs', label: 'CPU / invocation', unit: 'µs', digits: 1 },
  { key: 'latencyP50Us', label: 'latency p50', unit: 'µs', digits: 0 },
  { key: 'latencyP99Us', label: 'latency p99', unit: 'µs', digits: 0 },
  { key: 'peakRssMiB', label: 'peak RSS', unit: 'MiB', digits: 1 },
];
/** Also recorded in the JSON, not in the table. */
const EXTRA_METRICS = ['startupCpuMs', 'rssAfterFirstResponseMiB', 'wallPerInvocationUs', 'latencyMeanUs'];

const CLK_TCK = clockTicks();
/** A floor sample has only start-up figures. */
const NOT_APPLICABLE = Object.fromEntries(
  [...METRICS.map((m) => m.key), ...EXTRA_METRICS]
    .filter((key) => key !== 'spawnToNextMs' && key !== 'spawnToResponseMs')
    .map((key) => [key, Number.NaN]),
);
const NOTES = [
  'NODE_EXTRA_CA_CERTS (and every other inherited variable) is removed from each spawned process: it alone adds ~50 ms to a node start.',
  'Runtime API: bench/server.mjs, a minimal node:http server in its own process, not @lambda-runtime/emulator, whose per-request bookkeeping would compete with the runtime for CPU; used for all figures.',
  'Each runtime is spawned as `node <entry>` (what a bootstrap execs), cwd = its function directory, Lambda reserved variables and fake credentials only; its stdout (one log line per invocation) goes to a file.',
  `Cold start: one unmeasured start per variant first (page cache warm), then process.hrtime (CLOCK_MONOTONIC, shared by all processes) read by the harness just before spawn() and by the server when the first /next arrives and when the first /response is fully received.`,
  `CPU: utime+stime of the runtime process from /proc/<pid>/stat (all threads, CLK_TCK ${CLK_TCK}) over the measured invocations, after ${WARMUP} warm-up invocations. Latency: server-side time from sending an event to receiving its response. Peak RSS: VmHWM from /proc/<pid>/status.`,
];

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------

const machine = describeMachine();
log(
  `bench: ${RUNS} runs x [${selected.map((v) => v.name).join(', ')}], ${WARMUP} warm-up + ${INVOCATIONS} measured invocations each`,
);
log('bench: NODE_EXTRA_CA_CERTS removed from every spawned process (adds ~50 ms per node start)');
log(
  `bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageStart.join(' ')}`,
);

const prepared = {};
const skipped = {};
for (const variant of [...selected]) {
  if (variant.prepare !== undefined) {
    log(`bench: preparing ${variant.name}...`);
    const outcome = await variant.prepare({ log });
    if (outcome?.skipped !== undefined) {
      skipped[variant.name] = outcome.skipped;
      log(`bench: SKIPPING ${variant.name}: ${outcome.skipped}`);
      selected.splice(selected.indexOf(variant), 1);
      continue;
    }
    prepared[variant.name] = outcome;
    if (outcome !== undefined) log(`bench:   ${outcome}`);
  }
  if (variant.kind === 'floor') continue;
  const entry = resolve(ROOT, variant.entry);
  if (!existsSync(entry)) {
    log(`bench: ${variant.entry} does not exist (run \`pnpm build\` first, or use \`pnpm bench\`)`);
    process.exit(2);
  }
}

mkdirSync(LOGS, { recursive: true });
const server = await startServerProcess(join(ROOT, 'bench', 'server.mjs'));
const samples = Object.fromEntries(selected.map((v) => [v.name, []]));
const startedAt = Date.now();
const failures = [];
try {
  // One unmeasured start per variant first, so that no variant pays for a cold page cache.
  for (const variant of selected) await measure(server, variant, { coldOnly: true });
  for (let run = 0; run < RUNS; run += 1) {
    const order = selected.map((_, i) => selected[(i + run) % selected.length]);
    for (const variant of order) {
      let sample;
      try {
        sample = await measure(server, variant);
      } catch (error) {
        // One retry: a workspace rebuild during a long run can leave a dist half-written for a moment.
        failures.push({
          run: run + 1,
          variant: variant.name,
          error: String(error.message ?? error).slice(0, 2000),
        });
        log(
          `run ${run + 1}/${RUNS} ${variant.name}: FAILED, retrying once in 5 s: ${String(error.message).slice(0, 300)}`,
        );
        await new Promise((done) => setTimeout(done, 5000));
        sample = await measure(server, variant);
      }
      samples[variant.name].push(sample);
      log(
        `run ${run + 1}/${RUNS} ${variant.name.padEnd(10)} /next ${sample.spawnToNextMs.toFixed(1)} ms, response ${sample.spawnToResponseMs.toFixed(1)} ms, ` +
          `CPU ${sample.cpuPerInvocationUs.toFixed(1)} µs/inv, p50 ${sample.latencyP50Us.toFixed(0)} µs, p99 ${sample.latencyP99Us.toFixed(0)} µs, ` +
          `RSS ${sample.peakRssMiB.toFixed(1)} MiB  [${((Date.now() - startedAt) / 1000).toFixed(0)} s]`,
      );
    }
  }
} finally {
  server.stop();
}

// ---------------------------------------------------------------------------------------------

const summary = {};
for (const variant of selected) {
  summary[variant.name] = {};
  for (const key of [...METRICS.map((m) => m.key), ...EXTRA_METRICS]) {
    summary[variant.name][key] = stats(samples[variant.name].map((s) => s[key]));
  }
}
const hasBaseline = selected.some((v) => v.name === BASELINE);
const ratios = {};
if (hasBaseline) {
  for (const variant of selected) {
    ratios[variant.name] = Object.fromEntries(
      METRICS.map((m) => [m.key, summary[variant.name][m.key].median / summary[BASELINE][m.key].median]),
    );
  }
}
const targets = TARGETS.map((target) => {
  const ratio = ratios[target.variant]?.[target.metric];
  return {
    ...target,
    ratio: ratio ?? null,
    result: ratio === undefined ? 'n/a' : ratio <= target.max ? 'PASS' : 'FAIL',
  };
});
machine.loadAverageEnd = loadAverage();

const report = {
  generatedAt: new Date().toISOString(),
  command: reproduceCommand(),
  commit: gitDescription(ROOT),
  machine,
  settings: { runs: RUNS, invocations: INVOCATIONS, warmup: WARMUP, clockTicksPerSecond: CLK_TCK },
  notes: NOTES,
  durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  variants: selected.map((v) => ({
    name: v.name,
    entry: v.entry,
    description: v.description,
    prepared: prepared[v.name],
  })),
  metrics: [
    ...METRICS.map(({ key, label, unit }) => ({ key, label, unit })),
    ...EXTRA_METRICS.map((key) => ({ key })),
  ],
  summary,
  ratiosToBaseline: hasBaseline ? ratios : null,
  targets,
  failures,
  samples,
};

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderMarkdown(report);
writeFileSync(join(OUT, 'table.md'), markdown);
if (hasBaseline) {
  writeFileSync(join(OUT, 'chart.svg'), renderChart({ report, metrics: METRICS, baseline: BASELINE }));
}
process.stdout.write(`\n${renderConsole(report)}\n`);
log(
  `bench: wrote ${join(OUT, 'latest.json')}, table.md${hasBaseline ? ', chart.svg' : ''} in ${report.durationSeconds} s`,
);

// ---------------------------------------------------------------------------------------------

/** One spawn of `variant`: cold start, warm-up, measured invocations, peak RSS. */
async function measure(server, variant, { coldOnly = false } = {}) {
  const cwd = resolve(ROOT, variant.cwd ?? dirname(variant.entry));
  const env = {
    ...lambdaEnvironment({ port: server.port, taskRoot: cwd, name: 'bench-echo', memoryMiB: 1024 }),
    ...variant.env,
  };
  if (variant.kind === 'floor') return measureFloor(variant, cwd, env, coldOnly);
  server.send({ type: 'arm' });
  await server.roundTrip();
  const { child, spawnedAt, exited, until } = spawnRuntime({
    args: [...NODE_ARGS, ...(variant.nodeArgs ?? []), resolve(ROOT, variant.entry), ...(variant.args ?? [])],
    cwd,
    env,
    logPath: join(LOGS, `${variant.name}.log`),
    name: variant.name,
  });
  try {
    const cold = await until(server.next('cold', 30_000));
    if (coldOnly) return undefined;
    const startupTicks = cpuTicks(child.pid);
    const coldRssKiB = statusField(child.pid, 'VmHWM');
    if (WARMUP > 0) {
      server.send({ type: 'drive', n: WARMUP, record: false });
      await until(server.next('done', 120_000));
    }
    const before = cpuTicks(child.pid);
    server.send({ type: 'drive', n: INVOCATIONS, record: true });
    const warm = await until(server.next('done', 600_000));
    const after = cpuTicks(child.pid);
    const peakRssKiB = statusField(child.pid, 'VmHWM');
    if (warm.errors > 0) throw new Error(`${variant.name} answered ${warm.errors} invocations with /error`);
    return {
      spawnToNextMs: Number(BigInt(cold.firstNextAt) - spawnedAt) / 1e6,
      spawnToResponseMs: Number(BigInt(cold.firstResponseAt) - spawnedAt) / 1e6,
      startupCpuMs: (startupTicks * 1000) / CLK_TCK,
      rssAfterFirstResponseMiB: coldRssKiB / 1024,
      cpuPerInvocationUs: ((after - before) * 1e6) / CLK_TCK / INVOCATIONS,
      latencyP50Us: warm.p50Ns / 1000,
      latencyP99Us: warm.p99Ns / 1000,
      latencyMeanUs: warm.meanNs / 1000,
      wallPerInvocationUs: warm.wallNs / 1000 / INVOCATIONS,
      peakRssMiB: peakRssKiB / 1024,
    };
  } finally {
    if (NODE_ARGS.length > 0 && child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    } else {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** The floor: `node <nodeArgs>` (e.g. `-e 0`) from spawn to exit; no Runtime API, so only the start-up metrics. */
async function measureFloor(variant, cwd, env, coldOnly) {
  const { spawnedAt, exited } = spawnRuntime({
    args: [...(variant.nodeArgs ?? [])],
    cwd,
    env,
    logPath: join(LOGS, `${variant.name}.log`),
    name: variant.name,
  });
  const { code } = await exited;
  const exitedAt = process.hrtime.bigint();
  if (code !== 0) throw new Error(`${variant.name} exited with ${code}`);
  if (coldOnly) return undefined;
  const ms = Number(exitedAt - spawnedAt) / 1e6;
  return { spawnToNextMs: ms, spawnToResponseMs: ms, peakRssMiB: Number.NaN, ...NOT_APPLICABLE };
}

function reproduceCommand() {
  const defaults =
    RUNS === 10 &&
    INVOCATIONS === 20000 &&
    WARMUP === 1000 &&
    flags.variants === undefined &&
    NODE_ARGS.length === 0;
  if (defaults) return 'pnpm bench';
  const parts = ['pnpm bench --', `--runs ${RUNS}`, `--invocations ${INVOCATIONS}`];
  if (WARMUP !== 1000) parts.push(`--warmup ${WARMUP}`);
  if (flags.variants !== undefined) parts.push(`--variants ${flags.variants}`);
  if (NODE_ARGS.length > 0) parts.push(`--node-args="${NODE_ARGS.join(' ')}"`);
  return parts.join(' ');
}

function cell(s, digits) {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

function tableRows(report) {
  const header = ['variant', ...METRICS.map((m) => `${m.label} (${m.unit})`)];
  const rows = report.variants.map((v) => [
    v.name,
    ...METRICS.map((m) => cell(report.summary[v.name][m.key], m.digits)),
  ]);
  return { header, rows };
}

function ratioRows(report) {
  if (report.ratiosToBaseline === null) return null;
  const header = ['variant', ...METRICS.map((m) => m.label)];
  const rows = report.variants.map((v) => [
    v.name,
    ...METRICS.map((m) => `${report.ratiosToBaseline[v.name][m.key].toFixed(2)}×`),
  ]);
  return { header, rows };
}

function markdownTable({ header, rows }) {
  const align = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function targetLines(report) {
  return report.targets.map((t) =>
    t.ratio === null
      ? `n/a  ${t.label}: not measured (needs the ${t.variant} and ${BASELINE} variants; target ≤ ${t.max}×)`
      : `${t.result} ${t.label}: ${t.ratio.toFixed(2)}× the baseline (target ≤ ${t.max}×)`,
  );
}

function renderMarkdown(report) {
  const m = report.machine;
  const lines = [
    `Medians over ${report.settings.runs} runs (min–max in parentheses); warm figures over ${report.settings.invocations.toLocaleString('en-US')} sequential invocations per run after ${report.settings.warmup} warm-up invocations.`,
    '',
    markdownTable(tableRows(report)),
    '',
  ];
  const ratios = ratioRows(report);
  if (ratios !== null)
    lines.push('Ratio of each median to the baseline median (same run):', '', markdownTable(ratios), '');
  lines.push('Targets:', '', ...targetLines(report).map((l) => `- ${l}`), '');
  lines.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}; load average ${m.loadAverageStart.join(' ')} at start, ${m.loadAverageEnd.join(' ')} at end. Run on ${report.generatedAt.slice(0, 10)} at commit ${report.commit}, ${report.durationSeconds} s.`,
    '',
    `Reproduce: \`${report.command}\` (builds with \`tsc -b\`, bundles, then runs bench/run.mjs; options after \`--\`: \`--runs\`, \`--invocations\`, \`--warmup\`, \`--variants\`).`,
    '',
    'Variants:',
    '',
    ...report.variants.map(
      (v) => `- \`${v.name}\`: ${v.description} (\`${v.entry}\`)${v.prepared ? `; ${v.prepared}` : ''}`,
    ),
    '',
    'Method:',
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
  );
  return lines.join('\n');
}

function renderConsole(report) {
  const plain = (table) => {
    const all = [table.header, ...table.rows];
    const widths = table.header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all
      .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
      .join('\n');
  };
  const out = [
    `Medians (min–max) over ${report.settings.runs} runs, ${report.settings.invocations} invocations per run:`,
    plain(tableRows(report)),
  ];
  const ratios = ratioRows(report);
  if (ratios !== null) out.push('', 'Ratio to baseline:', plain(ratios));
  out.push('', ...targetLines(report), '', ...report.notes.slice(0, 2).map((n) => `note: ${n}`));
  return out.join('\n');
}

function positiveInt(name, text, min = 1) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min}, got ${text}\n`);
    process.exit(2);
  }
  return value;
}
