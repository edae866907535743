import { type BuildResult, buildFunction } from '../build-function.js';
import { measureColdStart } from '../cold-start.js';
import { defineCommand } from '../command.js';
import { displayPath, formatBytes } from '../format.js';
import { parseArch, parseNodeMajor } from '../options.js';

const USAGE = `Usage: lambda-dev build <entry | module.export> [options]

Builds a function for the provided.al2023 runtime into --out: bootstrap, function.cjs (loader),
function.bundle.cjs (the function, the runtime and the dependencies), function.bundle.cache (V8's
code cache) and function.zip (all of them, reproducible).

<entry> is a file that calls defaultRuntime(...).run(), e.g. src/index.ts; or a handler name as
Lambda spells it, e.g. src/orders.handler: the module's export runs through the runtime as the
'lambda-runtime' command would run it.

Options:
  --arch <x86_64|arm64>   the function's architecture (default x86_64)
  --node <22|24>          the Node.js major version that runs it (default 24)
  --out <dir>             the output folder (default dist/lambda)
  --bundle-node           put Node.js into function.zip (bin/node) instead of using the layer
  --external <module>     keep a package out of the bundle and copy it, with its dependencies,
                          into node_modules (repeatable); for native modules built for the target
  --sourcemap             ship a linked source map (set NODE_OPTIONS=--enable-source-maps)
  --no-minify             keep whitespace and syntax as written
  --no-code-cache         ship no V8 code cache (each cold start then compiles the bundle)
  --node-binary <path>    the Node.js binary the function runs on (Node.js 20 or later, for
                          --arch, runnable here): it makes the code cache, and the bundle's
                          syntax targets the older of it and --node. Default: the pinned
                          Node.js of --node. The cache then fits that binary only; not with
                          --bundle-node
  --measure               run the artifact under a local Runtime API emulator and print its cold
                          start (spawn to first response, wall and CPU time, 5 runs); needs a
                          machine that runs the target (x86_64 Linux for x86_64)
  -h, --help              show this help
`;

/** `lambda-dev build`: bundles a function into a deployable `function.zip`. */
export const buildCommand = defineCommand({
  name: 'build',
  summary: 'Bundle a function (entry file or module.export) into bootstrap + function.zip',
  usage: USAGE,
  options: {
    arch: { type: 'string' },
    node: { type: 'string' },
    out: { type: 'string' },
    'bundle-node': { type: 'boolean' },
    external: { type: 'string', multiple: true },
    sourcemap: { type: 'boolean' },
    'no-minify': { type: 'boolean' },
    'no-code-cache': { type: 'boolean' },
    'node-binary': { type: 'string' },
    measure: { type: 'boolean' },
  },
  checkPositionals: (positionals) =>
    positionals.length === 1 ? undefined : `expected one <entry | module.export>, got ${positionals.length}`,
  async run({ values, positionals }) {
    const arch = parseArch(values.arch);
    const nodeMajor = parseNodeMajor(values.node);
    const result = await buildFunction({
      entry: positionals[0] as string,
      arch,
      nodeMajor,
      bundleNode: values['bundle-node'] === true,
      external: values.external ?? [],
      sourcemap: values.sourcemap === true,
      minify: values['no-minify'] !== true,
      codeCache: values['no-code-cache'] !== true,
      ...(values.out === undefined ? {} : { outDir: values.out }),
      ...(values['node-binary'] === undefined ? {} : { nodeBinary: values['node-binary'] }),
      nodeCache: { onDownload: (url) => process.stderr.write(`downloading ${url}\n`) },
    });
    process.stdout.write(report(result));
    if (values.measure === true) {
      const measured = await measureColdStart({
        outDir: result.outDir,
        build: result,
        runs: 5,
        ...(values['node-binary'] === undefined ? {} : { nodeBinary: values['node-binary'] }),
      });
      const list = (samples: readonly number[]) => samples.map((ms) => ms.toFixed(1)).join(', ');
      process.stdout.write(
        `cold start (spawn to first response, ${measured.samples.length} runs under the emulator): ` +
          `median ${measured.medianMs.toFixed(1)} ms (${list(measured.samples)})` +
          (measured.cpuSamples.length === 0
            ? ''
            : `; CPU median ${measured.medianCpuMs.toFixed(1)} ms (${list(measured.cpuSamples)})`) +
          `${measured.cacheRejected ? '; the code cache was REJECTED' : ''}\n`,
      );
    }
    return 0;
  },
});

function report(result: BuildResult): string {
  const shown = displayPath;
  const what =
    result.entry.kind === 'handler'
      ? `handler ${result.entry.spec} (${shown(result.entry.file)})`
      : `entry ${shown(result.entry.file)}`;
  const width = Math.max(...result.files.map((file) => file.name.length));
  const lines = [
    `Built ${what} for ${result.arch}, Node.js ${result.node.version}${result.files.some((file) => file.name === 'bin/node') ? ' (in the zip)' : ' (from the layer)'}`,
    ...result.files.map((file) => `  ${file.name.padEnd(width)}  ${formatBytes(file.bytes).padStart(10)}`),
    `  artifact ${formatBytes(result.artifactBytes)} unzipped; ${shown(result.zip)} ${formatBytes(result.zipBytes)}`,
  ];
  if (result.codeCacheMadeBy !== undefined)
    lines.push(
      `  code cache made by Node.js ${result.codeCacheNodeVersion} (${displayPath(result.codeCacheMadeBy)})`,
    );
  for (const note of result.notes) lines.push(`note: ${note}`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  lines.push(
    `Deploy: runtime provided.al2023, architecture ${result.arch}` +
      (result.files.some((file) => file.name === 'bin/node')
        ? ''
        : `, with the Node.js layer from 'lambda-dev layer --arch ${result.arch} --node ${result.node.version.split('.')[0]}'`),
  );
  return `${lines.join('\n')}\n`;
}
