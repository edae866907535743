// The variants the harness measures, as data. Each entry:
//   name, description
//   entry    the file run as `node <entry> <args>` (paths relative to the repository root, or absolute)
//   exec     instead of `node <entry>`: a file spawned directly (a bootstrap that execs node); the
//            harness's extra node flags then go in through NODE_OPTIONS
//   args     arguments after the entry
//   cwd      the function directory, also LAMBDA_TASK_ROOT (default: the entry's directory)
//   env      extra variables for the process, on top of the Lambda environment
//   kind     'floor': spawn -> exit of a process that never talks to the Runtime API
//   prepare  async ({ log }) => undefined | string (a note) | { note?, entry?, exec?, cwd?, env? } |
//            { skipped: reason }: run once before measuring; what it returns overrides the fields above
//
// The issue-15 variants (floor, aws-lambda-ric, command, build) all run bench/function/index.mjs,
// the one handler file (`_HANDLER=index.handler`).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAwsLambdaRic } from './lib/aws-lambda-ric.mjs';
import { withoutExtraCaCerts } from './lib/lambda-environment.mjs';

/** @typedef {{ name: string, description: string, entry?: string, exec?: string, args?: string[], cwd?: string, env?: Record<string, string>, nodeArgs?: string[], kind?: 'floor', prepare?: (context: { log: (line: string) => void }) => Promise<unknown> }} Variant */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The one handler file every issue-15 variant runs. */
export const FUNCTION_DIR = 'bench/function';
/** Where the `build` variant's artifact goes (git-ignored: bench/dist), one per Node.js major that runs the bench. */
export const BUILD_DIR = `bench/dist/lambda-dev-build/node-${process.versions.node.split('.')[0]}`;

/** The variant most ratios and the chart are computed against; `baseline` when it is not measured. */
export const REFERENCE = 'aws-lambda-ric';
/** The reference when aws-lambda-ric is not in the run (skipped, or not selected). */
export const FALLBACK_REFERENCE = 'baseline';

/** What `pnpm bench` measures without `--variants`. */
export const DEFAULT_VARIANTS = ['floor', 'baseline', 'aws-lambda-ric', 'command', 'build'];

/** @type {Variant[]} */
export const VARIANTS = [
  {
    name: 'floor',
    kind: 'floor',
    nodeArgs: ['-e', '0'],
    cwd: FUNCTION_DIR,
    description:
      '`node -e 0`, spawn -> exit: the cost of starting Node.js at all (its figure stands in both start-up columns)',
  },
  {
    name: 'baseline',
    entry: 'bench/variants/baseline-node-http.mjs',
    description:
      'hand-written Runtime API loop on node:http, keep-alive agent (maxSockets 1), echo handler inline',
  },
  {
    name: 'aws-lambda-ric',
    // Filled in by prepare: the entry is in the install cache.
    entry: '',
    args: ['index.handler'],
    cwd: FUNCTION_DIR,
    description:
      'the official client, aws-lambda-ric 4.0.2 (built from source on first use), `node <cache>/node_modules/aws-lambda-ric/index.mjs index.handler`',
    prepare: async ({ log }) => {
      // Under `--node N` the install still runs on the node of the shell that started the bench.
      const path = process.env.LAMBDA_RUNTIME_BENCH_PARENT_PATH ?? process.env.PATH;
      const installed = await ensureAwsLambdaRic(awsLambdaRicCache(), log, path);
      if ('skipped' in installed) return { skipped: installed.skipped };
      return { entry: installed.entry, note: `installed in ${installed.dir}` };
    },
  },
  {
    name: 'command',
    // Filled in by prepare: the package's `bin` (what a bootstrap execs node on).
    entry: 'packages/cli/dist/bin.js',
    // As the README's bootstrap and container ENTRYPOINT start it.
    nodeArgs: ['--v8-pool-size=1'],
    cwd: FUNCTION_DIR,
    description:
      'the `lambda-runtime` command as its README documents it for a bootstrap: `node --v8-pool-size=1 <...>/@lambda-runtime/cli/<bin>`, handler from _HANDLER, after its one-time `--prepare-cache` step when it has one',
    prepare: prepareCommand,
  },
  {
    name: 'build',
    exec: `${BUILD_DIR}/bootstrap`,
    cwd: BUILD_DIR,
    description:
      'the `lambda-dev build index.handler` artifact (@lambda-runtime/dev buildFunction: bundle + V8 code cache), run as Lambda runs it: its `bootstrap` executed with LAMBDA_TASK_ROOT = the artifact and node first on PATH',
    prepare: buildArtifact,
  },
  {
    name: 'default',
    entry: 'examples/echo/dist/index.js',
    cwd: 'examples/echo',
    description: 'examples/echo: defaultRuntime() with its own echo handler, built by tsc',
  },
  {
    name: 'undici',
    entry: 'bench/variants/undici.mjs',
    description: 'echo + .withTransport(UndiciTransport)',
  },
  {
    name: 'got',
    entry: 'bench/variants/got.mjs',
    description: 'echo + .withTransport(GotTransport)',
  },
  {
    name: 'bundled',
    entry: 'bench/dist/echo-bootstrap.cjs',
    description:
      'examples/echo bundled by @lambda-runtime/bundler: one file (esbuild) and its V8 code cache, run with `node`',
    prepare: async () => {
      const { bundleFunction, ECHO_BUNDLE } = await import('./build-bundle.mjs');
      const { bytes, warnings } = await bundleFunction(ECHO_BUNDLE);
      return `bundle ${(bytes / 1024).toFixed(0)} KiB${warnings.length > 0 ? `, ${warnings.length} esbuild warnings` : ''}`;
    },
  },
];

/**
 * Issue 15, item 2. Each target is the ratio of `variant`'s median `metric` to `base`'s median
 * `baseMetric` (default: the same metric) in the same run. The floor's figure is spawn -> exit,
 * kept in its start-up columns.
 */
export const TARGETS = [
  {
    label: 'cold start (spawn → 1st response), command',
    metric: 'spawnToResponseMs',
    variant: 'command',
    base: 'aws-lambda-ric',
    max: 0.8,
  },
  {
    label: 'cold start (spawn → 1st response), shipped build',
    metric: 'spawnToResponseMs',
    variant: 'build',
    base: 'aws-lambda-ric',
    max: 0.7,
  },
  {
    label: 'CPU per invocation, command',
    metric: 'cpuPerInvocationUs',
    variant: 'command',
    base: 'aws-lambda-ric',
    max: 0.7,
  },
  {
    label: 'CPU per invocation, shipped build',
    metric: 'cpuPerInvocationUs',
    variant: 'build',
    base: 'aws-lambda-ric',
    max: 0.7,
  },
  { label: 'peak RSS, command', metric: 'peakRssMiB', variant: 'command', base: 'aws-lambda-ric', max: 1.0 },
  {
    label: 'peak RSS, shipped build',
    metric: 'peakRssMiB',
    variant: 'build',
    base: 'aws-lambda-ric',
    max: 1.0,
  },
  {
    label: 'spawn → 1st /next of the shipped build vs `node -e 0` spawn → exit',
    metric: 'spawnToNextMs',
    variant: 'build',
    base: 'floor',
    baseMetric: 'spawnToNextMs',
    max: 1.3,
  },
];

/** aws-lambda-ric's install cache: `$XDG_CACHE_HOME/lambda-runtime/bench` (default ~/.cache/...). */
export function awsLambdaRicCache() {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'lambda-runtime', 'bench');
}

/**
 * The command is the `lambda-runtime` bin of @lambda-runtime/cli. When it has the documented
 * one-time step `lambda-runtime --prepare-cache` (V8's code cache of its runtime bundle, for the
 * Node.js that runs it), the bench runs exactly that, with the node that runs the bench.
 */
async function prepareCommand() {
  const cli = join(ROOT, 'packages', 'cli');
  const manifest = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['lambda-runtime'];
  if (bin === undefined) throw new Error('packages/cli/package.json has no lambda-runtime bin');
  const entry = join('packages', 'cli', bin);
  const help = spawnSync(process.execPath, [join(ROOT, entry), '--help'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (!`${help.stdout}${help.stderr}`.includes('--prepare-cache')) {
    return { entry, note: `${entry}; no --prepare-cache step in its --help` };
  }
  const prepared = spawnSync(process.execPath, [join(ROOT, entry), '--prepare-cache'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: withoutExtraCaCerts(process.env),
  });
  if (prepared.status !== 0) {
    throw new Error(`lambda-runtime --prepare-cache failed (${prepared.status}): ${prepared.stderr}`);
  }
  return { entry, note: `ran \`node ${entry} --prepare-cache\`: ${prepared.stdout.trim()}` };
}

/**
 * Builds bench/function with `buildFunction` (what `lambda-dev build index.handler` runs) for the
 * Node.js that runs the bench, so the code cache is one V8 accepts.
 */
async function buildArtifact() {
  const { buildFunction } = await import('@lambda-runtime/dev');
  const major = Number(process.versions.node.split('.')[0]);
  const options = {
    entry: 'index.handler',
    root: join(ROOT, FUNCTION_DIR),
    outDir: join(ROOT, BUILD_DIR),
    // The pinned majors lambda-dev ships; the bundle targets it, the code cache comes from nodeBinary.
    nodeMajor: major >= 24 ? 24 : 22,
    nodeBinary: process.execPath,
  };
  let result = await buildFunction(options);
  let cacheNote;
  if (result.codeCacheMadeBy === undefined) {
    cacheNote = 'no code cache';
  } else if (nodeVersion(result.codeCacheMadeBy) === process.version) {
    cacheNote = `code cache by Node ${process.version}`;
  } else {
    // A cache from another V8 build is rejected at every start: measure without one rather than with a dead file.
    const madeBy = nodeVersion(result.codeCacheMadeBy);
    result = await buildFunction({ ...options, codeCache: false });
    cacheNote = `NO code cache: buildFunction made it with Node ${madeBy}, which V8 on ${process.version} would reject`;
  }
  return {
    note: `${BUILD_DIR}: ${result.files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ')}; ${cacheNote}${result.warnings.length > 0 ? `; ${result.warnings.length} esbuild warnings` : ''}`,
    // Lambda's PATH holds no node: the bootstrap finds it at /opt/bin/node (a layer) or on PATH. The
    // bench puts the running node first on PATH and points the layer folder at the artifact, which has none.
    env: {
      PATH: [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
      LAMBDA_RUNTIME_OPT_DIR: join(ROOT, BUILD_DIR),
    },
  };
}

function nodeVersion(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
