import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

/** Cold starts of an artifact, in milliseconds. */
export interface ColdStartMeasurement {
  readonly samples: readonly number[];
  readonly medianMs: number;
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
      await symlink((await nodeBinary(options.build.node, options.nodeCache)).node, join(opt, 'bin', 'node'));
    }
    const samples: number[] = [];
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
    const sorted = [...samples].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const medianMs =
      sorted.length % 2 === 1
        ? (sorted[middle] ?? 0)
        : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    return { samples, medianMs, cacheRejected };
  } finally {
    await rm(opt, { recursive: true, force: true });
  }
}
