#!/usr/bin/env node
// Cold start of the lambda-runtime command, as ratios to aws-lambda-ric 4.0.2 in the same run: each
// way of starting the command (code cache or none, ES module entry, Node 22+'s compile cache) is
// spawned in turn with the others, N times, under the bench's Runtime API server (bench/server.mjs),
// with the bench's handler file (bench/function/index.mjs). Prints medians of spawn -> first /next
// and spawn -> first response, and the peak RSS by then. Needs the build (pnpm build). Runs the Node.js that runs it:
//
//   node packages/cli/scripts/cold-start.mjs [runs=11]
//   $(bash scripts/node-from-registry.sh 24) packages/cli/scripts/cold-start.mjs 11
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { ensureAwsLambdaRic } from '../../../bench/lib/aws-lambda-ric.mjs';
import { lambdaEnvironment } from '../../../bench/lib/lambda-environment.mjs';
import { spawnRuntime } from '../../../bench/lib/runtime-process.mjs';
import { startServerProcess } from '../../../bench/lib/server-process.mjs';

const runs = Number(process.argv[2] ?? 11);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bench = fileURLToPath(new URL('../../../bench/', import.meta.url));
const taskRoot = join(bench, 'function');
const work = mkdtempSync(join(tmpdir(), 'lambda-runtime-cold-'));
const cacheName = `runtime.bundle.${process.version}-${process.arch}.cache`;

/** A copy of the command's files, as installed, under `work/<name>`; returns its dist folder. */
function install(name) {
  const packageDir = join(work, name, 'node_modules', '@lambda-runtime', 'cli');
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  writeFileSync(join(packageDir, 'package.json'), '{"type":"module"}');
  for (const file of ['bin.cjs', 'bin.js', 'runtime.bundle.cjs', 'prepare-cache.js']) {
    copyFileSync(join(dist, file), join(packageDir, 'dist', file));
  }
  return join(packageDir, 'dist');
}

function prepareCache(copy) {
  const result = spawnSync(process.execPath, [join(copy, 'bin.cjs'), '--prepare-cache'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`--prepare-cache failed: ${result.stderr}`);
}

const variants = [];
const ric = await ensureAwsLambdaRic(join(homedir(), '.cache', 'lambda-runtime', 'bench'), (line) =>
  process.stderr.write(`${line}\n`),
);
if (ric.entry !== undefined)
  variants.push({ name: 'aws-lambda-ric 4.0.2', args: [ric.entry, 'index.handler'] });
else process.stderr.write(`cold-start: no aws-lambda-ric baseline: ${ric.skipped}\n`);

const cached = install('cached');
prepareCache(cached);
variants.push({ name: 'bin.cjs, --prepare-cache', args: [join(cached, 'bin.cjs'), 'index.handler'] });
variants.push({ name: 'bin.js (ESM entry), cache', args: [join(cached, 'bin.js'), 'index.handler'] });
const uncached = install('uncached');
variants.push({ name: 'bin.cjs, no cache', args: [join(uncached, 'bin.cjs'), 'index.handler'] });

// What the warm-up invocations of --prepare-cache buy: a cache made right after compiling instead.
const compiled = install('compile-time');
const source = readFileSync(join(compiled, 'runtime.bundle.cjs'), 'utf8');
const key = source.slice(0, source.indexOf('\n') + 1);
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: join(compiled, 'runtime.bundle.cjs'),
});
writeFileSync(
  join(compiled, cacheName),
  Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()]),
);
variants.push({ name: 'bin.cjs, compile-time cache', args: [join(compiled, 'bin.cjs'), 'index.handler'] });

// Node 22+: the built-in compile cache on a plain require() of the bundle (it caches the handler too).
const module = await import('node:module');
if (typeof module.enableCompileCache === 'function') {
  const loader = join(work, 'compile-cache-loader.cjs');
  writeFileSync(
    loader,
    `require('node:module').enableCompileCache(${JSON.stringify(join(work, 'compile-cache'))});
require(${JSON.stringify(join(uncached, 'runtime.bundle.cjs'))}).main(process.argv[2], (url) => import(url));
if (process.env.PRIME === '1') setTimeout(() => require('node:module').flushCompileCache(), 500).unref();\n`,
  );
  variants.push({ name: 'module.enableCompileCache', args: [loader, 'index.handler'], prime: true });
}

let server = await startServerProcess(join(bench, 'server.mjs'));
const results = new Map(variants.map((variant) => [variant.name, { next: [], response: [], peakRss: [] }]));

async function coldStart(variant, env = {}, retries = 0) {
  server.send({ type: 'arm' });
  await server.roundTrip();
  const { child, spawnedAt, exited, until } = spawnRuntime({
    args: variant.args,
    cwd: taskRoot,
    env: { ...lambdaEnvironment({ port: server.port, taskRoot, name: 'cold', memoryMiB: 1024 }), ...env },
    logPath: join(work, 'runtime.log'),
    name: variant.name,
  });
  const cold = await until(server.next('cold', 30_000, 'the first response')).catch(async (error) => {
    child.kill('SIGKILL');
    await exited;
    // bench/server.mjs can take a /next pipelined right behind the answer (one TCP segment) for a
    // second /next, before the answer's body has ended: not the runtime's fault. Start a fresh
    // server (the old one still has this start's messages queued) and measure this start again.
    if (/protocol-error GET \/next while/.test(error.message) && retries < 3) {
      process.stderr.write(`cold-start: ${variant.name}: ${error.message}; measuring this start again\n`);
      server.kill();
      server = await startServerProcess(join(bench, 'server.mjs'));
      return { retried: await coldStart(variant, env, retries + 1) };
    }
    throw new Error(
      `${variant.name}: ${error.message}; its stdout: ${readFileSync(join(work, 'runtime.log'), 'utf8')}`,
    );
  });
  if (cold.retried !== undefined) return cold.retried;
  if (env.PRIME === '1') await new Promise((resolve) => setTimeout(resolve, 800));
  const peakRss = peakRssMiB(child.pid);
  child.kill('SIGKILL');
  await exited;
  return {
    next: Number(BigInt(cold.firstNextAt) - spawnedAt) / 1e6,
    response: Number(BigInt(cold.firstResponseAt) - spawnedAt) / 1e6,
    peakRss,
  };
}

/** The process's peak RSS so far (VmHWM), in MiB; NaN where /proc is not there. */
function peakRssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

try {
  for (const variant of variants) if (variant.prime) await coldStart(variant, { PRIME: '1' });
  // One round to warm the file cache, then `runs` interleaved rounds.
  for (let round = -1; round < runs; round++) {
    for (const variant of variants) {
      const { next, response, peakRss } = await coldStart(variant);
      if (round < 0) continue;
      results.get(variant.name).next.push(next);
      results.get(variant.name).response.push(response);
      results.get(variant.name).peakRss.push(peakRss);
    }
  }
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}

const median = (values) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1];
const baseline = ric.entry === undefined ? undefined : results.get(variants[0].name);
process.stdout.write(
  `Node.js ${process.version}, ${runs} interleaved cold starts each, medians (ms); ratio: to aws-lambda-ric\n`,
);
for (const [name, { next, response, peakRss }] of results) {
  const ratio = baseline === undefined ? '' : (median(response) / median(baseline.response)).toFixed(2);
  process.stdout.write(
    `${name.padEnd(30)} spawn->/next ${median(next).toFixed(1).padStart(6)}  spawn->response ${median(response).toFixed(1).padStart(6)}  ${ratio.padStart(5)}  peak RSS at the first response ${median(peakRss).toFixed(1)} MiB\n`,
  );
}
