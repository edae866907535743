// `lambda-runtime --prepare-cache`: makes V8's code cache of the runtime bundle for the Node.js
// that runs it. A child process runs the command against a Runtime API served here, with a
// handler of our own, for a few invocations; it writes V8's cache as it exits, so that the cache
// holds the functions the first invocations compile, not only those of start-up. Loaded only for
// this step, never at a cold start.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/** Options of {@link prepareCache}. */
export interface PrepareCacheOptions {
  /** How many invocations the child answers before its cache is taken (default 3). */
  readonly invocations?: number;
  /** How long the child may take, in milliseconds (default 30 000). */
  readonly timeoutMs?: number;
}

/** What {@link prepareCache} wrote. */
export interface PreparedCache {
  readonly file: string;
  readonly bytes: number;
}

const CACHE_OUT_VARIABLE = 'LAMBDA_RUNTIME_PREPARE_CACHE_OUT';
const WARM_HANDLER =
  'export const handler = async (event, context) => ({ event, requestId: context.awsRequestId });\n';

/** The file the command reads its cache from, for the Node.js running this code. */
export function cacheFileOf(bundle: string): string {
  return path.join(path.dirname(bundle), `runtime.bundle.${process.version}-${process.arch}.cache`);
}

/** Runs {@link prepareCache} as the command's `--prepare-cache`: one line to stdout, or to stderr and exit code 1. */
export function prepareCacheCommand(bin: string, bundle: string): void {
  prepareCache(bin, bundle).then(
    ({ file, bytes }) => {
      process.stdout.write(
        `lambda-runtime: wrote the code cache ${file} (${Math.round(bytes / 1024)} KiB) for Node.js ${process.version} ${process.arch}\n`,
      );
    },
    (error: unknown) => {
      process.stderr.write(`lambda-runtime --prepare-cache: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Makes the code cache of `bundle` for this Node.js build and writes it next to the bundle
 * (through a temporary file, so a runtime starting meanwhile never reads half of one).
 */
export async function prepareCache(
  bin: string,
  bundle: string,
  options: PrepareCacheOptions = {},
): Promise<PreparedCache> {
  const invocations = options.invocations ?? 3;
  const source = fs.readFileSync(bundle, 'utf8');
  const key = source.slice(0, source.indexOf('\n') + 1);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runtime-cache-'));
  try {
    fs.writeFileSync(path.join(work, 'index.mjs'), WARM_HANDLER);
    const raw = path.join(work, 'cache.bin');
    await runWarmUp(bin, work, raw, invocations, options.timeoutMs ?? 30_000);
    const file = cacheFileOf(bundle);
    const data = Buffer.concat([Buffer.from(key, 'latin1'), fs.readFileSync(raw)]);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, data);
      fs.renameSync(temporary, file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new Error(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
    }
    return { file, bytes: data.length };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the command in a child process for `invocations` invocations of the warm-up handler, then stops it. */
function runWarmUp(bin: string, taskRoot: string, cacheOut: string, invocations: number, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    let answered = 0;
    let failure: string | undefined;
    let child: childProcess.ChildProcess | undefined;
    const server = http.createServer((request, response) => {
      const url = request.url ?? '';
      request.resume();
      if (request.method === 'GET' && url.endsWith('/runtime/invocation/next')) {
        if (answered >= invocations || failure !== undefined) {
          // Every invocation answered: hold this /next and stop the child, which writes its cache as it exits.
          child?.kill('SIGTERM');
          return;
        }
        const id = `prepare-cache-${answered + 1}`;
        response.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': id,
          'lambda-runtime-deadline-ms': String(Date.now() + 60_000),
          'lambda-runtime-invoked-function-arn':
            'arn:aws:lambda:us-east-1:000000000000:function:prepare-cache',
          'lambda-runtime-trace-id': `Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0`,
        });
        response.end(JSON.stringify({ warmUp: answered + 1 }));
        return;
      }
      request.on('end', () => {
        if (url.endsWith('/response')) answered += 1;
        else failure ??= `the warm-up handler failed (${url})`;
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      child = childProcess.spawn(process.execPath, [...process.execArgv, bin], {
        cwd: taskRoot,
        env: {
          ...(process.env.PATH === undefined ? {} : { PATH: process.env.PATH }),
          AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
          AWS_LAMBDA_FUNCTION_NAME: 'prepare-cache',
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
          AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/prepare-cache',
          AWS_LAMBDA_LOG_STREAM_NAME: 'prepare-cache',
          AWS_REGION: 'us-east-1',
          LAMBDA_TASK_ROOT: taskRoot,
          _HANDLER: 'index.handler',
          [CACHE_OUT_VARIABLE]: cacheOut,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      const timer = setTimeout(() => {
        failure ??= `the warm-up run took longer than ${timeoutMs} ms`;
        child?.kill('SIGKILL');
      }, timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        server.close();
        server.closeAllConnections();
        if (failure === undefined && answered < invocations) {
          failure = `the runtime exited (code ${code}, signal ${signal}) after ${answered} of ${invocations} invocations`;
        }
        if (failure === undefined && !fs.existsSync(cacheOut)) failure = 'the runtime wrote no cache';
        if (failure === undefined) resolve();
        else reject(new Error(`${failure}; its output:\n${output.trimEnd()}`));
      });
    });
  });
}
