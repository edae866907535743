import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import type { BuildResult } from './build-function.js';
import { DevToolError } from './dev-tool-error.js';
import { type NodeBinaryOptions, nodeBinary } from './node-binary.js';
import { runsHere } from './node-releases.js';

/** Options of {@link measureColdStart}. */
export interface MeasureColdStartOptions {
  /** The built artifact's folder, standing for `/var/task`. */
  readonly outDir: string;
  /** The build, for its architecture, its Node.js and whether Node.js is in the zip. */
  readonly build: Pick<BuildResult, 'arch' | 'node' | 'files'>;
  /** How many cold starts (default 5). */
  readonly runs?: number;
  /** The event of each first invocation (default `{}`); an error answer counts as an answer. */
  readonly event?: unknown;
  readonly nodeCache?: NodeBinaryOptions;
  /** The Node.js binary that stands for the layer (the build's `nodeBinary`). Default: the build's pinned one. */
  readonly nodeBinary?: string;
}

/** Cold starts of an artifact, in milliseconds. */
export interface ColdStartMeasurement {
  /** Wall time from spawn to the first response, per run. */
  readonly samples: readonly number[];
  readonly medianMs: number;
  /**
   * CPU time the runtime process used up to its first response, per run (all its threads, from
   * Linux's `/proc/<pid>/task/<tid>/schedstat`): steadier than wall time on a busy machine, and
   * what the function's CPU share at a small memory size turns into start-up time.
   */
  readonly cpuSamples: readonly number[];
  readonly medianCpuMs: number;
  /** Some run said the code cache did not fit its Node.js. */
  readonly cacheRejected: boolean;
}

const REJECTED = /code cache does not fit/;

/**
 * Starts the artifact's `bootstrap` `runs` times, each under a fresh local Runtime API emulator
 * with the pinned Node.js as the layer (`LAMBDA_RUNTIME_OPT_DIR`), and measures spawn to the first
 * response. Lambda adds its own sandbox and download time; this is the part the artifact controls.
 *
 * @throws {@link DevToolError} `ERR_MEASURE` when the artifact's Node.js cannot run on this machine.
 *
 * @example
 * ```ts
 * const { medianMs } = await measureColdStart({ outDir: result.outDir, build: result });
 * ```
 */
export async function measureColdStart(options: MeasureColdStartOptions): Promise<ColdStartMeasurement> {
  if (!runsHere(options.build.arch)) {
    throw new DevToolError(
      'ERR_MEASURE',
      `cannot measure a ${options.build.arch} artifact on this ${process.platform}/${process.arch} machine`,
    );
  }
  const opt = await mkdtemp(join(tmpdir(), 'lambda-dev-opt-'));
  try {
    if (!options.build.files.some((file) => file.name === 'bin/node')) {
      await mkdir(join(opt, 'bin'));
      const node = options.nodeBinary ?? (await nodeBinary(options.build.node, options.nodeCache)).node;
      await symlink(resolve(node), join(opt, 'bin', 'node'));
    }
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    let cacheRejected = false;
    for (let run = 0; run < (options.runs ?? 5); run += 1) {
      const emulator = await RuntimeApiEmulator.start();
      try {
        const started = performance.now();
        const runtime = emulator.spawn({
          command: join(options.outDir, 'bootstrap'),
          cwd: options.outDir,
          env: { LAMBDA_TASK_ROOT: options.outDir, LAMBDA_RUNTIME_OPT_DIR: opt },
        });
        const result = await emulator.invoke(options.event ?? {});
        samples.push(performance.now() - started);
        const cpu = await cpuMs(runtime.pid);
        if (cpu !== undefined) cpuSamples.push(cpu);
        if (result.via === 'exit' || result.via === 'init-error') {
          throw new DevToolError(
            'ERR_MEASURE',
            `the function did not start (${result.errorType ?? result.via}): ${runtime.stderr.slice(-2000)}`,
          );
        }
        cacheRejected ||= REJECTED.test(runtime.stderr);
      } finally {
        await emulator.close();
      }
    }
    return { samples, medianMs: median(samples), cpuSamples, medianCpuMs: median(cpuSamples), cacheRejected };
  } finally {
    await rm(opt, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** CPU time of a live process in milliseconds, summed over its threads; `undefined` off Linux. */
async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    let nanoseconds = 0;
    for (const task of tasks) {
      // The first field is the time spent on a CPU, in nanoseconds.
      nanoseconds += Number((await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8')).split(' ')[0]);
    }
    return nanoseconds / 1e6;
  } catch {
    return undefined;
  }
}
