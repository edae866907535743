// Cold starts of the `lambda-dev build` artifact of bench/function (index.handler), run as Lambda
// runs it (its `bootstrap`), against the floor (`node -e 0`) and aws-lambda-ric 4.0.2 when the
// bench has installed it, interleaved, under bench/server.mjs. Prints medians and ratios to
// aws-lambda-ric in the same run: spawn -> first /next, -> first response, CPU up to the first
// response, CPU per invocation and peak RSS over `invocations` warm invocations (0: cold starts only).
// Run after `pnpm exec tsc -b`:
//   node packages/dev/scripts/build-cold-start.mjs [node binary (default: this one)] [runs 11] [invocations 2000]
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaEnvironment } from '../../../bench/lib/lambda-environment.mjs';
import { startServerProcess } from '../../../bench/lib/server-process.mjs';
import { buildFunction } from '../dist/build-function.js';

const node = process.argv[2] ?? process.execPath;
const runs = Number(process.argv[3] ?? 11);
const invocations = Number(process.argv[4] ?? 2000);
const root = fileURLToPath(new URL('../../../bench/function/', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'build-cold-start-'));
const ric = join(
  homedir(),
  '.cache/lambda-runtime/bench/aws-lambda-ric-4.0.2/node_modules/aws-lambda-ric/index.mjs',
);

// Node.js as the layer: an /opt of its own with bin/node.
const opt = join(work, 'opt');
await mkdir(join(opt, 'bin'), { recursive: true });
await import('node:fs/promises').then(({ symlink }) => symlink(node, join(opt, 'bin', 'node')));
const artifact = async (name, options) => {
  const outDir = join(work, name);
  await buildFunction({ entry: 'index.handler', root, outDir, nodeBinary: node, ...options });
  return {
    name,
    cmd: join(outDir, 'bootstrap'),
    cwd: outDir,
    env: { LAMBDA_TASK_ROOT: outDir, LAMBDA_RUNTIME_OPT_DIR: opt },
  };
};
const print = (line) => process.stdout.write(`${line}\n`);
const variants = [
  { name: 'node -e 0 (floor)', cmd: node, args: ['-e', '0'], cwd: root, exits: true },
  ...(existsSync(ric)
    ? [{ name: 'aws-lambda-ric', cmd: node, args: [ric, 'index.handler'], cwd: root, base: true }]
    : []),
  await artifact('build --no-code-cache', { codeCache: false }),
  await artifact('build --no-warm-up', { warmUp: false }),
  await artifact('build (warm cache)', {}),
];
if (!existsSync(ric)) print(`aws-lambda-ric is not installed at ${ric} (pnpm bench installs it): no ratios`);

const cpuNs = (pid) =>
  readdirSync(`/proc/${pid}/task`).reduce((sum, task) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return sum;
    }
  }, 0);
const peakRssMiB = (pid) =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

const server = await startServerProcess(fileURLToPath(new URL('../../../bench/server.mjs', import.meta.url)));
const results = new Map(
  variants.map((variant) => [variant.name, { next: [], response: [], initCpu: [], cpu: [], rss: [] }]),
);
for (let run = -1; run < runs; run += 1) {
  for (const variant of variants) {
    server.send({ type: 'arm' });
    await server.roundTrip();
    const log = openSync(join(work, 'runtime.log'), 'w');
    const env = {
      ...lambdaEnvironment({ port: server.port, taskRoot: variant.cwd, name: 'cold', memoryMiB: 1024 }),
      ...variant.env,
    };
    const spawnedAt = process.hrtime.bigint();
    const child = spawn(variant.cmd, variant.args ?? [], {
      cwd: variant.cwd,
      env,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const result = results.get(variant.name);
    if (variant.exits) {
      await exited;
      const ms = Number(process.hrtime.bigint() - spawnedAt) / 1e6;
      if (run >= 0) {
        result.next.push(ms);
        result.response.push(ms);
      }
      continue;
    }
    const cold = await Promise.race([
      server.next('cold', 30_000),
      exited.then(() => {
        throw new Error(
          `${variant.name} exited: ${readFileSync(join(work, 'runtime.log'), 'utf8').slice(-2000)}`,
        );
      }),
    ]);
    const initCpu = cpuNs(child.pid);
    let perInvocation = Number.NaN;
    if (invocations > 0) {
      server.send({ type: 'drive', n: 200 });
      await server.next('done', 60_000);
      const before = cpuNs(child.pid);
      server.send({ type: 'drive', n: invocations });
      await server.next('done', 120_000);
      perInvocation = (cpuNs(child.pid) - before) / invocations / 1000;
    }
    const rss = peakRssMiB(child.pid);
    child.kill('SIGKILL');
    await exited;
    if (run < 0) continue;
    result.next.push(Number(BigInt(cold.firstNextAt) - spawnedAt) / 1e6);
    result.response.push(Number(BigInt(cold.firstResponseAt) - spawnedAt) / 1e6);
    result.initCpu.push(initCpu / 1e6);
    result.cpu.push(perInvocation);
    result.rss.push(rss);
  }
}
server.stop();
await rm(work, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n === 0 ? Number.NaN : n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
};
const base = results.get('aws-lambda-ric');
const ratio = (result, field) =>
  base === undefined ? '' : ` ${(median(result[field]) / median(base[field])).toFixed(2)}x`;
const floor = results.get('node -e 0 (floor)');
const version = await new Promise((resolve) => {
  const child = spawn(node, ['--version']);
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.on('close', () => resolve(text.trim()));
});
print(`Node.js ${version} (${node}), medians of ${runs} interleaved runs, ${invocations} invocations each`);
for (const [name, result] of results) {
  if (result === floor) {
    print(`${name.padEnd(24)} exit ${median(result.next).toFixed(1)} ms`);
    continue;
  }
  print(
    `${name.padEnd(24)} /next ${median(result.next).toFixed(1)} ms (${(median(result.next) / median(floor.next)).toFixed(2)}x floor)` +
      `  response ${median(result.response).toFixed(1)} ms${ratio(result, 'response')}` +
      `  init CPU ${median(result.initCpu).toFixed(1)} ms${ratio(result, 'initCpu')}` +
      `  CPU/inv ${median(result.cpu).toFixed(0)} us${ratio(result, 'cpu')}` +
      `  peak RSS ${median(result.rss).toFixed(1)} MiB${ratio(result, 'rss')}`,
  );
}
