// A rough baseline, not the benchmark harness (that is issue 5): cold start (spawn -> first /next,
// 5 runs) and the sequential round-trip cost of the echo example under the emulator, which runs in
// this same process. NODE_EXTRA_CA_CERTS is unset for the runtime, as it alone adds ~50 ms to
// start-up. Run after `pnpm build`: `node examples/echo/measure.mjs`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';

const bootstrap = fileURLToPath(new URL('./bootstrap', import.meta.url));
const colds = [];
for (let run = 0; run < 5; run += 1) {
  const emulator = await RuntimeApiEmulator.start();
  const t0 = performance.now();
  emulator.spawn({ command: bootstrap, env: { NODE_EXTRA_CA_CERTS: undefined } });
  await emulator.waitForRequest((r) => r.endpoint === 'next');
  colds.push(performance.now() - t0);
  await emulator.close();
}
const emulator = await RuntimeApiEmulator.start();
const runtime = emulator.spawn({ command: bootstrap, env: { NODE_EXTRA_CA_CERTS: undefined } });
for (let i = 0; i < 200; i += 1) await emulator.invoke({ i });
const n = 5000;
const t0 = performance.now();
for (let i = 0; i < n; i += 1) await emulator.invoke({ i });
const ms = performance.now() - t0;
const status = readFileSync(`/proc/${runtime.pid}/status`, 'utf8');
const rss = status.match(/VmRSS:\s+(\d+)/)[1],
  hwm = status.match(/VmHWM:\s+(\d+)/)[1];
await emulator.close();
colds.sort((a, b) => a - b);
process.stdout.write(
  `cold start spawn->first /next: median ${colds[2].toFixed(0)} ms (min ${colds[0].toFixed(0)}, max ${colds[4].toFixed(0)})\n`,
);
process.stdout.write(
  `${n} sequential invocations: ${((ms / n) * 1000).toFixed(0)} us per round trip (emulator in the same process), runtime RSS ${Math.round(rss / 1024)} MiB, peak ${Math.round(hwm / 1024)} MiB\n`,
);
