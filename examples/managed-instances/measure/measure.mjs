// Measures the Managed Instances loop: invocations per second, CPU per invocation and p99 latency
// for the ways of running N invocations at once, against a minimal Managed Instances Runtime API on
// 127.0.0.1 (any number of parked /next, answers taken for any id in flight).
//
//   node examples/managed-instances/measure/measure.mjs [invocations=600]
//
// Each row keeps N invocations outstanding (a closed loop) until all are answered. CPU is the
// runtime process's user + system time (every thread) read from /proc.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const runtimeScript = fileURLToPath(new URL('./runtime.mjs', import.meta.url));
const total = Number(process.argv[2] ?? 600);
const TICK_MS = 10; // USER_HZ is 100 on Linux
const STALL_MS = 3_000;

/** A Runtime API that parks any number of /next and takes answers for any invocation in flight. */
function startApi() {
  const queue = [];
  const parked = [];
  const inFlight = new Map();
  const server = createServer(
    { keepAliveTimeout: 600_000, requestTimeout: 0, headersTimeout: 0 },
    (req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url.endsWith('/invocation/next')) {
          const deliver = (item) => {
            inFlight.set(item.id, item);
            res.writeHead(200, {
              'lambda-runtime-aws-request-id': item.id,
              'lambda-runtime-deadline-ms': String(Date.now() + 60_000),
              'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:measure',
              'content-type': 'application/json',
            });
            res.end('{}');
          };
          const item = queue.shift();
          if (item) deliver(item);
          else parked.push(deliver);
          return;
        }
        const id = decodeURIComponent(req.url.split('/')[4] ?? '');
        const item = inFlight.get(id);
        inFlight.delete(id);
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': 15 });
        res.end('{"status":"OK"}');
        item?.done();
      });
    },
  );
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        address: `127.0.0.1:${server.address().port}`,
        parkedCount: () => parked.length,
        invoke: () =>
          new Promise((done) => {
            const item = { id: randomUUID(), done };
            const deliver = parked.shift();
            if (deliver) deliver(item);
            else queue.push(item);
          }),
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
}

function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
}

async function measure({ concurrency, handler, workers, transport }) {
  const api = await startApi();
  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_RUNTIME_API: api.address,
    AWS_LAMBDA_FUNCTION_NAME: 'measure',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
    AWS_LAMBDA_LOG_LEVEL: 'WARN',
    MEASURE_HANDLER: handler,
    ...(concurrency > 1 ? { AWS_LAMBDA_MAX_CONCURRENCY: String(concurrency) } : {}),
    ...(workers ? { AWS_LAMBDA_NODEJS_WORKER_COUNT: String(workers) } : {}),
    ...(transport === 'shared' ? { MEASURE_TRANSPORT: 'shared' } : {}),
  };
  const child = spawn(process.execPath, [runtimeScript], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code) => {
    if (code !== null) throw new Error(`the runtime exited with ${code}`);
  });
  // Ready once every poll it can keep is parked (a shared transport parks only one).
  const expected = transport === 'shared' ? 1 : concurrency;
  while (api.parkedCount() < expected) await new Promise((resolve) => setTimeout(resolve, 5));
  // Warm up, then measure.
  const warm = await Promise.race([
    Promise.all(Array.from({ length: concurrency }, () => api.invoke())).then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), STALL_MS)),
  ]);
  if (!warm) {
    child.kill('SIGKILL');
    api.close();
    return { stalledAfter: 0 };
  }
  const latencies = [];
  const cpuBefore = cpuMs(child.pid);
  const started = performance.now();
  let sent = 0;
  let lastAnswer = performance.now();
  const lane = async () => {
    while (sent < total) {
      sent += 1;
      const at = performance.now();
      await api.invoke();
      lastAnswer = performance.now();
      latencies.push(lastAnswer - at);
    }
  };
  // A mode that stops answering (a shared connection held by a parked poll) is reported as such.
  let watchdog;
  const stalled = new Promise((resolve) => {
    watchdog = setInterval(() => {
      if (performance.now() - lastAnswer > STALL_MS) resolve(true);
    }, 100);
  });
  const stuck = await Promise.race([
    Promise.all(Array.from({ length: concurrency }, lane)).then(() => false),
    stalled,
  ]);
  clearInterval(watchdog);
  if (stuck) {
    child.kill('SIGKILL');
    api.close();
    return { stalledAfter: latencies.length };
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(child.pid) - cpuBefore;
  const rssMb = rssKb(child.pid) / 1024;
  child.kill('SIGKILL');
  api.close();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: total / seconds,
    cpuPerInvocationMs: cpu / total,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)],
    rssMb,
  };
}

const rows = [
  { name: 'N=1 (single-concurrency loop)', concurrency: 1, handler: 'io' },
  { name: 'N=16, one process, one transport per poller', concurrency: 16, handler: 'io' },
  { name: 'N=16, one process, one shared transport', concurrency: 16, handler: 'io', transport: 'shared' },
  { name: 'N=16, 2 worker threads', concurrency: 16, handler: 'io', workers: 2 },
  { name: 'N=1, CPU-bound handler', concurrency: 1, handler: 'cpu' },
  { name: 'N=16, one process, CPU-bound handler', concurrency: 16, handler: 'cpu' },
  { name: 'N=16, 2 worker threads, CPU-bound handler', concurrency: 16, handler: 'cpu', workers: 2 },
];
console.log(
  `${total} invocations a row; io = awaits 20 ms, cpu = about 2 ms of hashing; ${process.versions.node}`,
);
console.log('| mode | invocations/s | CPU ms / invocation | p99 latency ms | RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const result = await measure(row);
  if (result.stalledAfter !== undefined) {
    console.log(`| ${row.name} | stalls after ${result.stalledAfter} answers | | | |`);
    continue;
  }
  console.log(
    `| ${row.name} | ${result.perSecond.toFixed(0)} | ${result.cpuPerInvocationMs.toFixed(3)} | ${result.p99Ms.toFixed(1)} | ${result.rssMb.toFixed(0)} |`,
  );
}
