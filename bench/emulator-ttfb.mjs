// Time to first byte of a streamed response through @lambda-runtime/emulator, against a raw
// node:http pass-through baseline measured in the same run.
//
//   pnpm exec tsc -b && node bench/emulator-ttfb.mjs [--samples 400] [--warmup 100]
//
// Every path has the same shape: a caller asks, a fake runtime (node:http, keep-alive, in this
// process) long-polls /next, gets the event and posts a chunked streamed /response whose first
// chunk it writes at once and whose second it writes only after the caller has its first byte.
// Two figures per path, in milliseconds (median and p90 over the samples):
//   - ttfb:  the caller's request sent -> the caller's first payload byte (includes /next delivery);
//   - relay: the runtime's first chunk written -> that chunk at the caller (the streaming hop alone).
// Paths:
//   - baseline:    a ~40-line node:http server: /next parks until a caller arrives, /response is
//                  piped to the caller's response as it arrives (no bookkeeping, no checks);
//   - invokeStream: the emulator's test API (the caller is in-process, no caller socket);
//   - eventstream: POST /2021-11-15/functions/function/response-streaming-invocations (HTTP caller,
//                  first PayloadChunk message);
//   - functionUrl: the function URL front door with an http-integration prelude (HTTP caller).
// The ratio column is each path's median divided by the baseline's median. Processes share the
// machine's cores with whatever else runs: compare ratios within one run, not across runs.
import { Agent, createServer, request } from 'node:http';
import { parseArgs } from 'node:util';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '400' }, warmup: { type: 'string', default: '100' } },
});
const SAMPLES = Number(values.samples);
const WARMUP = Number(values.warmup);
const PRELUDE = `${JSON.stringify({ statusCode: 200, headers: { 'content-type': 'text/plain' } })}${'\0'.repeat(8)}`;

const now = () => performance.now();

/** A fake runtime: GET next, then a chunked streamed POST; the second chunk waits for `release`. */
class FakeRuntime {
  constructor(origin, { prelude = false, nextPath, responsePath }) {
    this.origin = origin;
    this.prelude = prelude;
    this.nextPath = nextPath;
    this.responsePath = responsePath;
    this.agent = new Agent({ keepAlive: true, maxSockets: 4 });
    this.stopped = false;
    /** When the first chunk of the current invocation was written. */
    this.firstWrittenAt = 0;
    this.release = undefined;
  }

  async loop() {
    while (!this.stopped) {
      const requestId = await this.#next();
      if (requestId === undefined) return;
      await this.#respond(requestId);
    }
  }

  #next() {
    return new Promise((resolve) => {
      const outgoing = request(`${this.origin}${this.nextPath}`, { agent: this.agent }, (incoming) => {
        incoming.resume();
        incoming.on('end', () => resolve(incoming.headers['lambda-runtime-aws-request-id']));
      });
      outgoing.on('error', () => resolve(undefined));
      outgoing.end();
    });
  }

  #respond(requestId) {
    return new Promise((resolve) => {
      const outgoing = request(
        `${this.origin}${this.responsePath(requestId)}`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'lambda-runtime-function-response-mode': 'streaming',
            'transfer-encoding': 'chunked',
            'content-type': this.prelude
              ? 'application/vnd.awslambda.http-integration-response'
              : 'text/plain',
            trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
          },
        },
        (incoming) => {
          incoming.resume();
          incoming.on('end', resolve);
        },
      );
      outgoing.on('error', resolve);
      const released = new Promise((done) => {
        this.release = done;
      });
      this.firstWrittenAt = now();
      outgoing.write(this.prelude ? `${PRELUDE}first` : 'first');
      released.then(() => outgoing.end('second'));
    });
  }

  stop() {
    this.stopped = true;
    this.agent.destroy();
  }
}

/** Reads an HTTP answer until its first body byte; then lets the runtime finish and drains. */
function httpCaller(url, method, runtime) {
  return new Promise((resolve, reject) => {
    const agent = httpCaller.agent;
    const sentAt = now();
    const outgoing = request(url, { method, agent }, (incoming) => {
      let firstAt;
      incoming.on('data', () => {
        if (firstAt !== undefined) return;
        firstAt = now();
        runtime.release?.();
      });
      incoming.on('end', () => resolve({ ttfb: firstAt - sentAt, relay: firstAt - runtime.firstWrittenAt }));
    });
    outgoing.on('error', reject);
    outgoing.end(method === 'POST' ? '{}' : undefined);
  });
}
httpCaller.agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** The baseline: the same exchange on a bare node:http server with nothing but piping. */
async function startBaseline() {
  let parked; // a waiting /next
  let caller; // the waiting caller's response
  let id = 0;
  const server = createServer((incoming, outgoing) => {
    if (incoming.url === '/next') {
      parked = outgoing;
      if (caller !== undefined) deliver();
      return;
    }
    if (incoming.url === '/call') {
      caller = outgoing;
      incoming.resume();
      if (parked !== undefined) deliver();
      return;
    }
    // POST /response/<id>: pipe the streamed body to the caller.
    const target = caller;
    caller = undefined;
    target.writeHead(200, { 'content-type': 'text/plain' });
    target.flushHeaders();
    incoming.on('data', (chunk) => target.write(chunk));
    incoming.on('end', () => {
      target.end();
      outgoing.writeHead(202, { 'content-type': 'application/json' });
      outgoing.end('{"status":"OK"}');
    });
  });
  function deliver() {
    id += 1;
    const next = parked;
    parked = undefined;
    next.writeHead(200, { 'lambda-runtime-aws-request-id': String(id), 'content-type': 'application/json' });
    next.end('{}');
  }
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function measure(name, setup) {
  const { sample, teardown } = await setup();
  const ttfb = [];
  const relay = [];
  for (let index = 0; index < WARMUP + SAMPLES; index += 1) {
    const figures = await sample();
    if (index >= WARMUP) {
      ttfb.push(figures.ttfb);
      relay.push(figures.relay);
    }
  }
  await teardown();
  return { name, ttfb: stats(ttfb), relay: stats(relay) };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9) };
}

const RUNTIME_PATHS = {
  nextPath: '/2018-06-01/runtime/invocation/next',
  responsePath: (id) => `/2018-06-01/runtime/invocation/${id}/response`,
};

const paths = [
  [
    'baseline',
    async () => {
      const baseline = await startBaseline();
      const runtime = new FakeRuntime(baseline.origin, {
        nextPath: '/next',
        responsePath: (id) => `/response/${id}`,
      });
      void runtime.loop();
      return {
        sample: () => httpCaller(`${baseline.origin}/call`, 'GET', runtime),
        teardown: async () => {
          runtime.stop();
          baseline.close();
        },
      };
    },
  ],
  [
    'invokeStream',
    async () => {
      const emulator = await RuntimeApiEmulator.start();
      const runtime = new FakeRuntime(emulator.origin, RUNTIME_PATHS);
      void runtime.loop();
      return {
        sample: async () => {
          const sentAt = now();
          const stream = emulator.invokeStream({});
          let figures;
          for await (const _chunk of stream) {
            if (figures !== undefined) continue;
            const firstAt = now();
            figures = { ttfb: firstAt - sentAt, relay: firstAt - runtime.firstWrittenAt };
            runtime.release?.();
          }
          await stream.result;
          return figures;
        },
        teardown: async () => {
          runtime.stop();
          await emulator.close();
        },
      };
    },
  ],
  [
    'eventstream',
    async () => {
      const emulator = await RuntimeApiEmulator.start();
      const runtime = new FakeRuntime(emulator.origin, RUNTIME_PATHS);
      void runtime.loop();
      const url = `${emulator.origin}/2021-11-15/functions/function/response-streaming-invocations`;
      return {
        sample: () => httpCaller(url, 'POST', runtime),
        teardown: async () => {
          runtime.stop();
          await emulator.close();
        },
      };
    },
  ],
  [
    'functionUrl',
    async () => {
      const emulator = await RuntimeApiEmulator.start({ functionUrl: { port: 0 } });
      const runtime = new FakeRuntime(emulator.origin, { ...RUNTIME_PATHS, prelude: true });
      void runtime.loop();
      return {
        sample: () => httpCaller(`${emulator.functionUrlOrigin}/`, 'GET', runtime),
        teardown: async () => {
          runtime.stop();
          await emulator.close();
        },
      };
    },
  ],
];

const results = [];
for (const [name, setup] of paths) results.push(await measure(name, setup));
httpCaller.agent.destroy();

const baseline = results[0];
const ms = (value) => value.toFixed(3).padStart(8);
const ratio = (value, base) => `${(value / base).toFixed(2)}x`.padStart(7);
process.stdout.write(
  `emulator time to first byte, ${SAMPLES} samples after ${WARMUP} warm-up, node ${process.version}\n` +
    `${'path'.padEnd(13)} ${'ttfb p50'.padStart(8)} ${'p90'.padStart(8)} ${'ratio'.padStart(7)}  ${'relay p50'.padStart(9)} ${'p90'.padStart(8)} ${'ratio'.padStart(7)}\n`,
);
for (const { name, ttfb, relay } of results) {
  process.stdout.write(
    `${name.padEnd(13)} ${ms(ttfb.p50)} ${ms(ttfb.p90)} ${ratio(ttfb.p50, baseline.ttfb.p50)}  ` +
      `${ms(relay.p50).padStart(9)} ${ms(relay.p90)} ${ratio(relay.p50, baseline.relay.p50)}\n`,
  );
}
process.stdout.write('ms; ratio = median / baseline median (same run)\n');
