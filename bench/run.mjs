#!/usr/bin/env node
// The benchmark harness (issues 5 and 15). Run from the repository root: `pnpm bench` (the build,
// then `node bench/run.mjs`), options after `--`: `pnpm bench -- --runs 3 --invocations 2000 --variants a,b`,
// `pnpm bench -- --node 24` (the whole harness on the registry's Node.js 24).
//
// For every run and every variant (variants interleaved, order rotated per run, so load from other
// processes on the machine spreads over all of them) it:
//   1. arms the minimal Runtime API (bench/server.mjs, a separate process) and spawns the runtime
//      (`node <entry>`, or a bootstrap that execs node) in a Lambda-like environment (no inherited
//      variables: NODE_EXTRA_CA_CERTS in particular is removed, it adds ~50 ms to every node start);
//   2. cold start: spawn -> first GET /next received, spawn -> first /response received (the first
//      /next is answered at once with the event);
//   3. warm: `--warmup` invocations, then `--invocations` sequential invocations; runtime CPU is
//      user+sys from /proc/<pid>/stat across the measured ones, latency is the server's
//      event-sent -> response-received time (p50, p99);
//   4. peak RSS: VmHWM from /proc/<pid>/status at the end; then SIGKILL.
// A `floor` variant (`node -e 0`) is timed from spawn to exit only.
// Medians with min–max over the runs go to stdout (table, ratios, targets), and to
// bench/results/node-<major>/latest.json, table.md (for the README) and chart.svg. Progress goes to stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
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
import { evaluateTargets, ratioOf } from './lib/targets.mjs';
import { DEFAULT_VARIANTS, FALLBACK_REFERENCE, REFERENCE, TARGETS, VARIANTS } from './variants.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOGS = join(tmpdir(), 'lambda-runtime-bench');
const DEFAULTS = { runs: 11, invocations: 20000, warmup: 1000, coldStarts: 3 };
const log = (line) => process.stderr.write(`${line}\n`);

let parsed;
try {
  parsed = parseArgs({
    // `pnpm bench -- --runs 3` may pass the `--` through.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      runs: { type: 'string', default: String(DEFAULTS.runs) },
      invocations: { type: 'string', default: String(DEFAULTS.invocations) },
      warmup: { type: 'string', default: String(DEFAULTS.warmup) },
      'cold-starts': { type: 'string', default: String(DEFAULTS.coldStarts) },
      variants: { type: 'string' },
      node: { type: 'string' },
      'node-args': { type: 'string' },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  process.stderr.write(`${error.message}\nnode bench/run.mjs --help lists the options\n`);
  process.exit(2);
}
const flags = parsed.values;
if (flags.help) {
  process.stdout.write(
    `node bench/run.mjs [--runs ${DEFAULTS.runs}] [--invocations ${DEFAULTS.invocations}] [--warmup ${DEFAULTS.warmup}] [--variants a,b|all] [--node 22|24] [--out dir] [--strict]\n` +
      `  --cold-starts N  cold starts per variant per run (default ${DEFAULTS.coldStarts}): the start-up medians are over\n` +
      '                 runs x N starts (each run: N - 1 starts stopped at the first response, then the full one)\n' +
      `  --variants     default: ${DEFAULT_VARIANTS.join(',')}; \`all\` for every variant\n` +
      '  --node 24      re-runs the whole harness (server and runtimes) on the Node.js binary that\n' +
      '                 scripts/node-from-registry.sh gives for that major (downloaded once, pinned)\n' +
      '  --out dir      default bench/results/node-<major of the running node>\n' +
      '  --strict       exit 1 unless every target passes\n' +
      '  --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"  extra node flags for the runtimes (NODE_OPTIONS for\n' +
      '                 bootstrap variants); they are then stopped with SIGTERM (so profiles get written) and the figures\n' +
      "                 include the flags' overhead\n" +
      `variants: ${VARIANTS.map((v) => v.name).join(', ')}\n`,
  );
  process.exit(0);
}

if (flags.node !== undefined) reExecUnder(flags.node);

const RUNS = positiveInt('runs', flags.runs);
const INVOCATIONS = positiveInt('invocations', flags.invocations);
const WARMUP = positiveInt('warmup', flags.warmup, 0);
const COLD_STARTS = positiveInt('cold-starts', flags['cold-starts']);
const NODE_MAJOR = process.versions.node.split('.')[0];
const selected = [
  ...selectVariants(
    flags.variants === 'all' ? undefined : (flags.variants ?? DEFAULT_VARIANTS.join(',')),
    VARIANTS,
  ),
];
const OUT = resolve(flags.out ?? join(ROOT, 'bench', 'results', `node-${NODE_MAJOR}`));
const NODE_ARGS = flags['node-args']?.split(' ').filter(Boolean) ?? [];

/** Metrics reported per variant: key, table header, unit, digits; `startup` ones apply to the floor. */
const METRICS = [
  { key: 'spawnToNextMs', label: 'spawn → 1st /next', unit: 'ms', digits: 1, startup: true },
  { key: 'spawnToResponseMs', label: 'spawn → 1st response', unit: 'ms', digits: 1, startup: true },
  { key: 'cpuPerInvocationUs', label: 'CPU / invocation', unit: 'µs', digits: 1 },
  { key: 'latencyP50Us', label: 'latency p50', unit: 'µs', digits: 0 },
  { key: 'latencyP99Us', label: 'latency p99', unit: 'µs', digits: 0 },
  { key: 'peakRssMiB', label: 'peak RSS', unit: 'MiB', digits: 1 },
];
const STARTUP_KEYS = METRICS.filter((m) => m.startup).map((m) => m.key);
/** Also recorded in the JSON, not in the table. */
const EXTRA_METRICS = ['startupCpuMs', 'rssAfterFirstResponseMiB', 'wallPerInvocationUs', 'latencyMeanUs'];

const CLK_TCK = clockTicks();
/** A floor sample has only start-up figures; the rest are null (JSON has no NaN). */
const NOT_APPLICABLE = Object.fromEntries(
  [...METRICS.filter((m) => !m.startup).map((m) => m.key), ...EXTRA_METRICS].map((key) => [key, null]),
);
const NOTES = [
  'Every spawned process gets only the Lambda reserved variables, fake credentials, LANG, TZ and PATH (the running node first): NODE_EXTRA_CA_CERTS and NODE_OPTIONS in particular are removed (the first alone adds ~50 ms to a node start).',
  'Runtime API: bench/server.mjs, a minimal node:http server in its own process (not @lambda-runtime/emulator, whose per-request bookkeeping would compete with the runtime for CPU); it answers the first /next at once with a small fixed event.',
  'Each runtime is spawned as `node <entry>` (what a bootstrap execs), or, for `build`, as its bootstrap file itself (a sh script that execs node, same pid); cwd = LAMBDA_TASK_ROOT = its function directory; its stdout (the log lines) goes to a file.',
  `Cold start: one unmeasured start per variant first (page cache warm); then ${COLD_STARTS} starts per variant per run (${COLD_STARTS - 1} stopped at the first response, interleaved, then the one of the full measurement), so the start-up medians are over runs x ${COLD_STARTS} starts. Times: process.hrtime (CLOCK_MONOTONIC, shared by all processes) read by the harness just before spawn() and by the server when the first /next arrives and when the first /response is fully received. The floor is spawn -> exit of \`node -e 0\`, timed by the harness.`,
  `CPU: utime+stime of the runtime process from /proc/<pid>/stat (all threads, CLK_TCK ${CLK_TCK}) over the measured invocations, after ${WARMUP} warm-up invocations. Latency: server-side time from sending an event to receiving its response. Peak RSS: VmHWM from /proc/<pid>/status after the measured invocations.`,
  'Ratios: each median divided by the reference variant’s median in the same run; targets name their own reference (aws-lambda-ric, or the floor for spawn → 1st /next).',
];

// ---------------------------------------------------------------------------------------------

const machine = describeMachine();
machine.nodeBinary = process.execPath;
log(
  `bench: ${RUNS} runs x [${selected.map((v) => v.name).join(', ')}], ${WARMUP} warm-up + ${INVOCATIONS} measured invocations each`,
);
log(
  `bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node} (${process.execPath}), load ${machine.loadAverageStart.join(' ')}`,
);

/** Each selected variant with what its prepare step returned merged in; `prepared` holds the notes. */
const prepared = {};
const skipped = {};
const runnable = [];
for (const declared of selected) {
  let variant = declared;
  if (variant.prepare !== undefined) {
    log(`bench: preparing ${variant.name}...`);
    let outcome;
    try {
      outcome = await variant.prepare({ log });
    } catch (error) {
      log(`bench: preparing ${variant.name} failed: ${error.stack ?? error}`);
      process.exit(1);
    }
    if (outcome?.skipped !== undefined) {
      skipped[variant.name] = outcome.skipped;
      log(`bench: SKIPPING ${variant.name}: ${outcome.skipped}`);
      continue;
    }
    const { note, ...overrides } = typeof outcome === 'string' ? { note: outcome } : (outcome ?? {});
    variant = { ...variant, ...overrides, env: { ...variant.env, ...overrides.env } };
    prepared[variant.name] = note;
    if (note !== undefined) log(`bench:   ${note}`);
  }
  if (variant.kind !== 'floor') {
    const file = resolve(ROOT, variant.exec ?? variant.entry);
    if (!existsSync(file)) {
      log(`bench: ${file} does not exist (run \`pnpm build\` first, or use \`pnpm bench\`)`);
      process.exit(2);
    }
  }
  runnable.push(variant);
}

mkdirSync(LOGS, { recursive: true });
const server = await startServerProcess(join(ROOT, 'bench', 'server.mjs'));
const samples = Object.fromEntries(runnable.map((v) => [v.name, []]));
/** Start-up figures of every cold start: COLD_STARTS per run, the full measurement's included. */
const coldSamples = Object.fromEntries(runnable.map((v) => [v.name, []]));
const startedAt = Date.now();
const failures = [];
try {
  // One unmeasured start per variant first, so that no variant pays for a cold page cache.
  for (const variant of runnable) await measure(server, variant, { coldOnly: true, check: true });
  for (let run = 0; run < RUNS; run += 1) {
    const order = runnable.map((_, i) => runnable[(i + run) % runnable.length]);
    // Cold starts are cheap next to the warm phase: more of them steady the start-up medians.
    for (let extra = 1; extra < COLD_STARTS; extra += 1) {
      for (const variant of order) {
        coldSamples[variant.name].push(
          await withRetry(run, variant, () => measure(server, variant, { coldOnly: true })),
        );
      }
    }
    for (const variant of order) {
      const sample = await withRetry(run, variant, () => measure(server, variant));
      samples[variant.name].push(sample);
      coldSamples[variant.name].push(startupOf(sample));
      log(
        `run ${run + 1}/${RUNS} ${progressLine(variant, sample)}  [${((Date.now() - startedAt) / 1000).toFixed(0)} s]`,
      );
    }
  }
} finally {
  server.stop();
}

// ---------------------------------------------------------------------------------------------

const summary = {};
for (const variant of runnable) {
  summary[variant.name] = {};
  for (const key of [...METRICS.map((m) => m.key), ...EXTRA_METRICS]) {
    const source = STARTUP_KEYS.includes(key) ? coldSamples : samples;
    const values = source[variant.name].map((s) => s[key]).filter((v) => v !== null);
    summary[variant.name][key] = values.length === 0 ? null : stats(values);
  }
}
const measured = (name) => summary[name] !== undefined;
const reference = measured(REFERENCE) ? REFERENCE : measured(FALLBACK_REFERENCE) ? FALLBACK_REFERENCE : null;
/** ratios[variant][metric]: median / the reference's median; null where either has no figure. */
const ratios = {};
if (reference !== null) {
  for (const variant of runnable) {
    ratios[variant.name] = Object.fromEntries(
      METRICS.map((m) => [m.key, ratioOf(summary, variant.name, m.key, reference)]),
    );
  }
}
const targets = evaluateTargets(TARGETS, summary, skipped);
machine.loadAverageEnd = loadAverage();

const report = {
  generatedAt: new Date().toISOString(),
  command: reproduceCommand(),
  commit: gitDescription(ROOT),
  machine,
  settings: {
    runs: RUNS,
    coldStartsPerRun: COLD_STARTS,
    invocations: INVOCATIONS,
    warmup: WARMUP,
    clockTicksPerSecond: CLK_TCK,
  },
  notes: NOTES,
  durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  variants: runnable.map((v) => ({
    name: v.name,
    kind: v.kind ?? 'runtime',
    run: commandLine(v),
    description: v.description,
    prepared: prepared[v.name],
  })),
  skipped,
  metrics: [
    ...METRICS.map(({ key, label, unit, startup }) => ({ key, label, unit, startup: startup === true })),
    ...EXTRA_METRICS.map((key) => ({ key })),
  ],
  summary,
  reference,
  ratios: reference === null ? null : ratios,
  targets,
  failures,
  samples,
  coldSamples,
};

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(OUT, 'table.md'), renderMarkdown(report));
if (reference !== null) writeFileSync(join(OUT, 'chart.svg'), renderChart({ reports: [report] }));
process.stdout.write(`\n${renderConsole(report)}\n`);
log(
  `bench: wrote ${join(OUT, 'latest.json')}, table.md${reference !== null ? ', chart.svg' : ''} in ${report.durationSeconds} s`,
);
if (flags.strict && targets.some((t) => t.result !== 'PASS')) process.exitCode = 1;

// ---------------------------------------------------------------------------------------------

/** `node --node 24 ...`: runs this script again under the registry's Node.js of that major, then exits with its code. */
function reExecUnder(major) {
  if (!/^\d+$/.test(major)) {
    log(`--node takes a major version (22 or 24), got ${major}`);
    process.exit(2);
  }
  if (process.versions.node.split('.')[0] === major) return;
  let binary;
  try {
    binary = execFileSync('bash', [join(ROOT, 'scripts', 'node-from-registry.sh'), major], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch {
    log(`bench: no Node.js ${major} from scripts/node-from-registry.sh (see above)`);
    process.exit(2);
  }
  log(`bench: re-running under ${binary}`);
  const args = process.argv
    .slice(2)
    .filter((arg, i, all) => arg !== '--node' && all[i - 1] !== '--node' && !arg.startsWith('--node='));
  const child = spawnSync(binary, [fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PATH: [dirname(binary), process.env.PATH].join(delimiter),
      LAMBDA_RUNTIME_BENCH_NODE: major,
      // What aws-lambda-ric's one-time install runs npm and node-gyp with (lib/aws-lambda-ric.mjs).
      LAMBDA_RUNTIME_BENCH_PARENT_PATH: process.env.PATH,
    },
  });
  process.exit(child.status ?? 1);
}

/**
 * `attempt()`, once more after 5 s when it fails (a workspace rebuild during a long run can leave a
 * dist half-written for a moment); the failure is kept for the report.
 */
async function withRetry(run, variant, attempt) {
  try {
    return await attempt();
  } catch (error) {
    failures.push({
      run: run + 1,
      variant: variant.name,
      error: String(error.message ?? error).slice(0, 2000),
    });
    log(
      `run ${run + 1}/${RUNS} ${variant.name}: FAILED, retrying once in 5 s: ${String(error.message).slice(0, 300)}`,
    );
    await new Promise((done) => setTimeout(done, 5000));
    return attempt();
  }
}

/** One spawn of `variant`: cold start, warm-up, measured invocations, peak RSS. */
async function measure(server, variant, { coldOnly = false, check = false } = {}) {
  const cwd = resolve(ROOT, variant.cwd ?? dirname(variant.entry));
  const env = {
    ...lambdaEnvironment({ port: server.port, taskRoot: cwd, name: 'bench-echo', memoryMiB: 1024 }),
    // The node that runs the harness first, as on Lambda where the layer's node is the one on PATH.
    PATH: [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    ...variant.env,
  };
  if (variant.kind === 'floor') return measureFloor(variant, cwd, env, coldOnly);
  const nodeArgs = [...NODE_ARGS, ...(variant.nodeArgs ?? [])];
  const spawnArgs =
    variant.exec !== undefined
      ? { command: resolve(ROOT, variant.exec), args: variant.args ?? [] }
      : { args: [...nodeArgs, resolve(ROOT, variant.entry), ...(variant.args ?? [])] };
  if (variant.exec !== undefined && nodeArgs.length > 0) env.NODE_OPTIONS = nodeArgs.join(' ');
  server.send({ type: 'arm' });
  await server.roundTrip();
  const { child, spawnedAt, exited, until, stderr } = spawnRuntime({
    ...spawnArgs,
    cwd,
    env,
    logPath: join(LOGS, `${variant.name}.log`),
    name: variant.name,
  });
  try {
    const cold = await until(server.next('cold', 30_000));
    if (coldOnly) {
      // E.g. a code cache that V8 rejected: the figures would not be what they claim.
      const said = stderr().trim();
      if (check && said !== '')
        log(`bench: WARNING ${variant.name} wrote to stderr at start: ${said.slice(0, 500)}`);
      return startupOf(coldFigures(cold, spawnedAt));
    }
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
      ...coldFigures(cold, spawnedAt),
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
  const ms = Number(exitedAt - spawnedAt) / 1e6;
  if (coldOnly) return { spawnToNextMs: ms, spawnToResponseMs: ms };
  return { spawnToNextMs: ms, spawnToResponseMs: ms, ...NOT_APPLICABLE };
}

/** Spawn -> first /next and -> first response, from the server's `cold` message. */
function coldFigures(cold, spawnedAt) {
  return {
    spawnToNextMs: Number(BigInt(cold.firstNextAt) - spawnedAt) / 1e6,
    spawnToResponseMs: Number(BigInt(cold.firstResponseAt) - spawnedAt) / 1e6,
  };
}

/** The start-up figures of a sample. */
function startupOf(sample) {
  return Object.fromEntries(STARTUP_KEYS.map((key) => [key, sample[key]]));
}

/** How the variant is started, for the report (paths relative to the repository root where inside it). */
function commandLine(variant) {
  const show = (path) => {
    const relativePath = relative(ROOT, resolve(ROOT, path));
    return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
  };
  if (variant.kind === 'floor') return ['node', ...(variant.nodeArgs ?? [])].join(' ');
  if (variant.exec !== undefined) return [show(variant.exec), ...(variant.args ?? [])].join(' ');
  return ['node', ...(variant.nodeArgs ?? []), show(variant.entry), ...(variant.args ?? [])].join(' ');
}

function progressLine(variant, sample) {
  const name = variant.name.padEnd(14);
  if (variant.kind === 'floor') return `${name} spawn → exit ${sample.spawnToNextMs.toFixed(1)} ms`;
  return (
    `${name} /next ${sample.spawnToNextMs.toFixed(1)} ms, response ${sample.spawnToResponseMs.toFixed(1)} ms, ` +
    `CPU ${sample.cpuPerInvocationUs.toFixed(1)} µs/inv, p50 ${sample.latencyP50Us.toFixed(0)} µs, p99 ${sample.latencyP99Us.toFixed(0)} µs, ` +
    `RSS ${sample.peakRssMiB.toFixed(1)} MiB`
  );
}

function reproduceCommand() {
  const parts = ['pnpm bench'];
  const extra = [];
  // The re-run under --node gets the flag through the environment.
  const node = flags.node ?? process.env.LAMBDA_RUNTIME_BENCH_NODE;
  if (node !== undefined) extra.push(`--node ${node}`);
  if (flags.strict) extra.push('--strict');
  if (RUNS !== DEFAULTS.runs) extra.push(`--runs ${RUNS}`);
  if (INVOCATIONS !== DEFAULTS.invocations) extra.push(`--invocations ${INVOCATIONS}`);
  if (WARMUP !== DEFAULTS.warmup) extra.push(`--warmup ${WARMUP}`);
  if (COLD_STARTS !== DEFAULTS.coldStarts) extra.push(`--cold-starts ${COLD_STARTS}`);
  if (flags.variants !== undefined) extra.push(`--variants ${flags.variants}`);
  if (NODE_ARGS.length > 0) extra.push(`--node-args="${NODE_ARGS.join(' ')}"`);
  if (extra.length > 0) parts.push('--', ...extra);
  return parts.join(' ');
}

function cell(s, digits) {
  if (s === null) return '—';
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
  if (report.ratios === null) return null;
  const header = ['variant', ...METRICS.map((m) => m.label)];
  const rows = report.variants.map((v) => [
    v.name,
    ...METRICS.map((m) => {
      const ratio = report.ratios[v.name][m.key];
      return ratio === null ? '—' : `${ratio.toFixed(2)}×`;
    }),
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
      ? `n/a  ${t.label}: target ≤ ${t.max}× ${t.base}; ${t.reason}`
      : `${t.result} ${t.label}: ${t.ratio.toFixed(2)}× ${t.base} (target ≤ ${t.max}×)`,
  );
}

function machineLine(report) {
  const m = report.machine;
  return `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; load average ${m.loadAverageStart.join(' ')} at start, ${m.loadAverageEnd.join(' ')} at end.`;
}

function renderMarkdown(report) {
  const lines = [
    `Node ${report.machine.node}. Medians over ${report.settings.runs} interleaved runs (min–max in parentheses); start-up figures over ${report.settings.runs * report.settings.coldStartsPerRun} cold starts (${report.settings.coldStartsPerRun} per run); warm figures over ${report.settings.invocations.toLocaleString('en-US')} sequential invocations per run after ${report.settings.warmup.toLocaleString('en-US')} warm-up invocations. The floor (\`node -e 0\`) is spawn → exit, shown in both start-up columns.`,
    '',
    markdownTable(tableRows(report)),
    '',
  ];
  const ratios = ratioRows(report);
  if (ratios !== null)
    lines.push(
      `Ratio of each median to ${report.reference}'s median (same run):`,
      '',
      markdownTable(ratios),
      '',
    );
  lines.push('Targets (issue 15):', '', ...targetLines(report).map((l) => `- ${l}`), '');
  for (const [name, reason] of Object.entries(report.skipped))
    lines.push(`Skipped \`${name}\`: ${reason}`, '');
  lines.push(
    `${machineLine(report)} Run on ${report.generatedAt.slice(0, 10)} at commit ${report.commit}, ${report.durationSeconds} s.`,
    '',
    `Reproduce: \`${report.command}\` (builds the workspace, prepares the variants, then runs bench/run.mjs; options after \`--\`: \`--runs\`, \`--invocations\`, \`--warmup\`, \`--variants\`, \`--node\`).`,
    '',
    'Variants:',
    '',
    ...report.variants.map(
      (v) => `- \`${v.name}\`: ${v.description}. Run: \`${v.run}\`${v.prepared ? `; ${v.prepared}` : ''}`,
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
    `Node ${report.machine.node}: medians (min–max) over ${report.settings.runs} runs (start-up: ${report.settings.runs * report.settings.coldStartsPerRun} cold starts), ${report.settings.invocations} invocations per run:`,
    plain(tableRows(report)),
  ];
  const ratios = ratioRows(report);
  if (ratios !== null) out.push('', `Ratio to ${report.reference}:`, plain(ratios));
  out.push('', 'Targets (issue 15):', ...targetLines(report));
  for (const [name, reason] of Object.entries(report.skipped)) out.push(`skipped ${name}: ${reason}`);
  out.push('', machineLine(report), ...report.notes.slice(0, 2).map((n) => `note: ${n}`));
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
