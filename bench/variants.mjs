// The variants the harness measures, as data. To add one, append an entry: `entry` is the file
// spawned with `node <entry>` (like a bootstrap's `exec node ...`), `cwd` the function directory
// (LAMBDA_TASK_ROOT), `prepare` an optional async build step run once before measuring.
// Example for the socket transport: a bench/variants/socket.mjs like undici.mjs with
// `.withTransport((origin) => new SocketTransport({ origin }))`, then
//   { name: 'socket', entry: 'bench/variants/socket.mjs', description: 'echo on @lambda-runtime/transport-socket' },
// (and "@lambda-runtime/transport-socket": "workspace:*" in bench/package.json).
import { bundleFunction, ECHO_BUNDLE } from './build-bundle.mjs';

/** @typedef {{ name: string, entry: string, cwd?: string, nodeArgs?: string[], description: string, prepare?: () => Promise<string | undefined> }} Variant */

/** The variant every ratio is computed against. */
export const BASELINE = 'baseline';

/** @type {Variant[]} paths are relative to the repository root */
export const VARIANTS = [
  {
    name: 'baseline',
    entry: 'bench/variants/baseline-node-http.mjs',
    description: 'hand-written loop on node:http, keep-alive agent (maxSockets 1)',
  },
  {
    name: 'default',
    entry: 'examples/echo/dist/index.js',
    cwd: 'examples/echo',
    description: 'examples/echo: defaultRuntime(), built by tsc',
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
    description: 'examples/echo bundled by @lambda-runtime/bundler: one file (esbuild) and its V8 code cache',
    prepare: async () => {
      const { bytes, warnings } = await bundleFunction(ECHO_BUNDLE);
      return `bundle ${(bytes / 1024).toFixed(0)} KiB${warnings.length > 0 ? `, ${warnings.length} esbuild warnings` : ''}`;
    },
  },
];

/**
 * The issue-5 targets: ratio of a variant's median to the baseline's median in the same run.
 * `variant` is the configuration the target is about (the shipped build for cold start).
 */
export const TARGETS = [
  { metric: 'cpuPerInvocationUs', variant: 'default', max: 0.55, label: 'CPU per invocation (default)' },
  { metric: 'spawnToNextMs', variant: 'bundled', max: 1.1, label: 'spawn -> first /next (shipped build)' },
  { metric: 'peakRssMiB', variant: 'default', max: 1.15, label: 'peak RSS (default)' },
];
