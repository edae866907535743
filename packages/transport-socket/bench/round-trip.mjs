// Micro-benchmark (not a test): client CPU per Runtime-API-like round trip (GET /next + POST
// /response) for SocketTransport, UndiciTransport and a node:http keep-alive agent, against a
// minimal node:http server in its own process. Each client runs in a fresh process, so import cost
// and JIT state are its own; rounds are interleaved and the median is printed.
//
//   pnpm exec tsc -b packages/transport-socket packages/transport-undici   (from the repository root)
//   node packages/transport-socket/bench/round-trip.mjs [roundTrips=20000] [rounds=3]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const [mode, ...rest] = process.argv.slice(2);
const out = (line) => process.stdout.write(`${line}\n`);

const EVENT = JSON.stringify({ key1: 'value1', key2: 'value2', key3: 'value3', nested: { a: [1, 2, 3] } });
const RESULT = JSON.stringify({ statusCode: 200, body: 'hello from the handler' });

if (mode === 'server') await server();
else if (mode === 'client') await client(rest[0], rest[1], Number(rest[2]));
else await main(Number(mode ?? 20_000) || 20_000, Number(rest[0] ?? 3) || 3);

async function main(roundTrips, rounds) {
  const serverProcess = spawn(process.execPath, [self, 'server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const origin = await new Promise((resolve) =>
    serverProcess.stdout.once('data', (chunk) => resolve(chunk.toString().trim())),
  );
  const clients = ['socket', 'undici', 'node-http'];
  const results = Object.fromEntries(clients.map((name) => [name, []]));
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const name of clients) results[name].push(await runClient(name, origin, roundTrips));
    }
  } finally {
    serverProcess.kill();
  }
  out(`node ${process.version}, ${roundTrips} GET+POST round trips per run, median of ${rounds} runs`);
  out('client      import ms  CPU µs/round trip  wall µs/round trip  vs node:http CPU');
  const baseline = median(results['node-http'].map((r) => r.cpuMicros));
  for (const name of clients) {
    const cpu = median(results[name].map((r) => r.cpuMicros));
    const wall = median(results[name].map((r) => r.wallMicros));
    const importMs = median(results[name].map((r) => r.importMs));
    out(
      `${name.padEnd(10)}  ${importMs.toFixed(2).padStart(9)}  ${cpu.toFixed(1).padStart(17)}  ${wall
        .toFixed(1)
        .padStart(18)}  ${`${((cpu / baseline) * 100).toFixed(0)}%`.padStart(16)}`,
    );
  }
}

function runClient(name, origin, roundTrips) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, 'client', name, origin, String(roundTrips)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`${name} exited ${code}`)),
    );
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function server() {
  const { createServer } = await import('node:http');
  let id = 0;
  const http = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET') {
        id += 1;
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(EVENT),
          'Lambda-Runtime-Aws-Request-Id': `8476a536-e9f4-11e8-9739-${String(id).padStart(12, '0')}`,
          'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3_000),
          'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:bench',
          'Lambda-Runtime-Trace-Id':
            'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
        });
        response.end(EVENT);
      } else {
        response.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': 16 });
        response.end('{"status":"OK"}\n');
      }
    });
  });
  http.keepAliveTimeout = 0;
  http.listen(0, '127.0.0.1', () => out(`http://127.0.0.1:${http.address().port}`));
}

async function client(name, origin, roundTrips) {
  const started = performance.now();
  const request = await load(name, origin);
  const importMs = performance.now() - started;

  const roundTrip = async (i) => {
    const next = await request({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' });
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    if (next.status !== 200 || next.body.byteLength !== Buffer.byteLength(EVENT))
      throw new Error(`bad /next ${i}`);
    const posted = await request({
      method: 'POST',
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      headers: { 'Content-Type': 'application/json' },
      body: RESULT,
    });
    if (posted.status !== 202) throw new Error(`bad /response ${i}`);
  };

  const warmup = Math.min(2_000, roundTrips);
  for (let i = 0; i < warmup; i += 1) await roundTrip(i);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let i = 0; i < roundTrips; i += 1) await roundTrip(i);
  const wall = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  out(
    JSON.stringify({
      importMs,
      cpuMicros: (cpu.user + cpu.system) / roundTrips,
      wallMicros: (wall * 1_000) / roundTrips,
    }),
  );
  process.exit(0);
}

/** Imports one client and returns a `request` function with the Transport signature. */
async function load(name, origin) {
  if (name === 'socket') {
    const { SocketTransport } = await import('../dist/index.js');
    const transport = new SocketTransport({ origin });
    return (request) => transport.request(request);
  }
  if (name === 'undici') {
    const { UndiciTransport } = await import('@lambda-runtime/transport-undici');
    const transport = new UndiciTransport({ origin });
    return (request) => transport.request(request);
  }
  const http = await import('node:http');
  const url = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // A hand-written keep-alive loop, as a runtime without a transport library would write it.
  return (request) =>
    new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: request.headers,
        },
        (incoming) => {
          const chunks = [];
          incoming.on('data', (chunk) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () =>
            resolve({ status: incoming.statusCode, headers: incoming.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
}
