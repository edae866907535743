#!/usr/bin/env node
// Memory of the runtime while it streams to a slow reader (issue 13, item 3). Run from the
// repository root after `pnpm exec tsc -b`:
//   node bench/streaming-rss.mjs [--mib 100] [--rate-mib 4] [--bound-mib 32]
//
// Each variant is a real runtime process (bench/variants/streaming-runtime.mjs: defaultRuntime and
// a streaming handler that yields `--mib` MiB in fresh 64 KiB buffers) invoked once by a minimal
// Runtime API (streaming-server.mjs, in this process) that reads the streamed response at
// `--rate-mib` MiB/s: a slow reader, so the runtime must hold the handler back instead of
// buffering. 4 MiB/s keeps a 100 MiB run at about 25 s (Lambda itself caps a stream at 2 MiB/s
// after its first 6 MB). The variants run at the same time, each with its own server:
//   - socket: the default transport;
//   - got: GotTransport;
//   - socket-reuse: the default transport, the handler yielding one reused chunk (no garbage);
//   - control: the default transport with a handler that ignores backpressure (writes every chunk
//     at once), which shows what unbounded buffering looks like in the same figures.
// Per variant: VmRSS sampled from /proc/<pid>/status every 50 ms while the stream runs, VmHWM at its
// end, the growth over VmRSS when the stream's head arrived, and how much higher RSS went in the
// second half of the stream than in the first (about 0 when memory does not grow with the bytes
// streamed). The bound is the RSS at stream start plus `--bound-mib` (48: V8 frees the handler's
// fresh 64 KiB buffers lazily, so tens of MiB of garbage come and go; `socket-reuse`, which yields
// one unchanged buffer again and again, shows the runtime's own buffering without that garbage).
// A variant that honours backpressure must stay under it (the control is expected not to); exits 1
// when one does not.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStreamingServer } from './streaming-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    mib: { type: 'string', default: '100' },
    'rate-mib': { type: 'string', default: '4' },
    'bound-mib': { type: 'string', default: '48' },
  },
});
const MIB = Number(flags.mib);
const RATE = Number(flags['rate-mib']) * 1024 * 1024;
const BOUND_MIB = Number(flags['bound-mib']);

const VARIANTS = [
  { name: 'socket', env: {}, bounded: true, what: 'defaultRuntime, SocketTransport (default)' },
  { name: 'got', env: { BENCH_TRANSPORT: 'got' }, bounded: true, what: 'defaultRuntime, GotTransport' },
  {
    name: 'socket-reuse',
    env: { BENCH_REUSE_CHUNK: '1' },
    bounded: true,
    what: 'defaultRuntime, SocketTransport, one reused chunk (no garbage)',
  },
  {
    name: 'control',
    env: { BENCH_IGNORE_BACKPRESSURE: '1' },
    bounded: false,
    what: 'SocketTransport, handler ignores write() === false',
  },
];

/** VmRSS and VmHWM of a process in MiB, or undefined once it is gone. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

async function run(variant) {
  let child;
  let startRss;
  let maxRss = 0;
  /** [ns since the stream's head, VmRSS MiB] */
  const timeline = [];
  let streamStartedAt;
  const finished = new Promise((resolve, reject) => {
    const serverReady = startStreamingServer({
      rate: RATE,
      onHead: ({ method, path }) => {
        if (method === 'POST' && path.endsWith('/response') && child !== undefined) {
          startRss = memory(child.pid)?.rss;
          streamStartedAt = process.hrtime.bigint();
        }
      },
      onStream: (report) => {
        const end = memory(child.pid);
        resolve({ report, end });
      },
    });
    serverReady.then((server) => {
      variant.server = server;
      child = spawn(process.execPath, [join(ROOT, 'bench', 'variants', 'streaming-runtime.mjs')], {
        cwd: join(ROOT, 'bench'),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.port}`,
          AWS_LAMBDA_FUNCTION_NAME: 'bench-stream',
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
          AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/bench-stream',
          AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
          _HANDLER: 'index.handler',
          LAMBDA_TASK_ROOT: join(ROOT, 'bench'),
          AWS_REGION: 'us-east-1',
          BENCH_STREAM_MIB: String(MIB),
          ...variant.env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (data) => {
        stderr += data;
      });
      child.on('exit', (code) =>
        reject(new Error(`${variant.name}: the runtime exited (${code}) early:\n${stderr}`)),
      );
    }, reject);
  });
  const sampler = setInterval(() => {
    if (child === undefined || startRss === undefined) return;
    const now = memory(child.pid);
    if (now === undefined) return;
    timeline.push([Number(process.hrtime.bigint() - streamStartedAt), now.rss]);
    maxRss = Math.max(maxRss, now.rss);
  }, 50);
  try {
    const { report, end } = await finished;
    maxRss = Math.max(maxRss, end.rss);
    const seconds = Number(report.endAt - streamStartedAt) / 1e9;
    const half = (seconds * 1e9) / 2;
    const maxOf = (list) => Math.max(...list.map(([, rss]) => rss));
    return {
      plateau: maxOf(timeline.filter(([t]) => t >= half)) - maxOf(timeline.filter(([t]) => t < half)),
      samples: timeline.length,
      ...variant,
      startRss,
      maxRss,
      hwm: end.hwm,
      growth: maxRss - startRss,
      seconds,
      wireMiB: report.wireBytes / 1024 / 1024,
    };
  } finally {
    clearInterval(sampler);
    child?.removeAllListeners('exit');
    child?.kill('SIGKILL');
    await variant.server?.close();
  }
}

process.stderr.write(
  `streaming RSS: ${MIB} MiB per runtime to a reader at ${flags['rate-mib']} MiB/s (about ${Math.ceil(MIB / Number(flags['rate-mib']))} s), variants ${VARIANTS.map((v) => v.name).join(', ')} at once\n`,
);
const results = await Promise.all(VARIANTS.map(run));
const lines = [
  '| runtime | what | RSS at stream start | max sampled RSS | VmHWM | growth | 2nd-half max − 1st-half max | bound (start + ' +
    `${BOUND_MIB} MiB) | stream |`,
  '|---|---|---:|---:|---:|---:|---:|---|---:|',
];
let failed = false;
for (const r of results) {
  const within = r.growth <= BOUND_MIB;
  if (r.bounded && !within) failed = true;
  const verdict = within ? 'within' : r.bounded ? '**EXCEEDED**' : 'exceeded (expected)';
  lines.push(
    `| ${r.name} | ${r.what} | ${r.startRss.toFixed(1)} MiB | ${r.maxRss.toFixed(1)} MiB | ${r.hwm.toFixed(1)} MiB | ` +
      `+${r.growth.toFixed(1)} MiB | ${r.plateau >= 0 ? '+' : ''}${r.plateau.toFixed(1)} MiB | ${verdict} | ${r.wireMiB.toFixed(0)} MiB in ${r.seconds.toFixed(1)} s (${r.samples} samples) |`,
  );
}
lines.push(
  '',
  `Command: \`pnpm exec tsc -b && node bench/streaming-rss.mjs --mib ${MIB} --rate-mib ${flags['rate-mib']} --bound-mib ${BOUND_MIB}\``,
);
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = failed ? 1 : 0;
