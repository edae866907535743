#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  FUNCTION_CLI_HELP,
  FUNCTION_CLI_OPTIONS,
  type FunctionOptions,
  FunctionOptionsError,
  resolveFunctionOptions,
} from './function-options.js';
import { FRONT_DOOR_PATH } from './invoke-front-door.js';
import { RuntimeApiEmulator } from './runtime-api-emulator.js';

const USAGE = `Usage: lambda-runtime-emulator [options] [-- <bootstrap> [args...]]

Serves the AWS Lambda Runtime API and the invoke endpoint on one port, and runs <bootstrap>
(the runtime) with AWS_LAMBDA_RUNTIME_API pointing at it, as Lambda runs it: a new process after
an init failure, a crash or a timeout, START/END/REPORT lines for every invocation. Without
<bootstrap> it only serves: start your runtime yourself with the printed AWS_LAMBDA_RUNTIME_API.

Options:
  -p, --port <port>          port to listen on, 0 for any free port (default 9000)
      --host <host>          interface to listen on (default 127.0.0.1)
${FUNCTION_CLI_HELP}      --init-timeout <s>     Init limit before it is re-run inside the first invoke (default 10)
      --max-concurrency <n>  Lambda Managed Instances mode: n invocations at once
      --max-queued <n>       invocations that may wait; one more gets 429 (default 100)
      --http <port>          also answer plain HTTP requests on <port> as a Lambda function URL
  -h, --help                 show this help

Colour: on for a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 on.
`;

const NAME = 'lambda-runtime-emulator';

/** A usage error: a specific message, a pointer to --help, exit code 2. */
function fail(message: string): never {
  process.stderr.write(`${NAME}: ${message}\nRun '${NAME} --help' for the options.\n`);
  process.exit(2);
}

function wholeNumber(option: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${option}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function initTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 900) {
    fail(`--init-timeout: must be a number of seconds above 0 and at most 900, got ${JSON.stringify(text)}`);
  }
  return Math.round(value * 1000);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      ...FUNCTION_CLI_OPTIONS,
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'init-timeout': { type: 'string' },
      'max-concurrency': { type: 'string' },
      'max-queued': { type: 'string' },
      http: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  let functionOptions: FunctionOptions;
  try {
    functionOptions = resolveFunctionOptions(values, { cwd: process.cwd(), parentEnv: process.env });
  } catch (error) {
    if (error instanceof FunctionOptionsError) fail(error.message);
    throw error;
  }
  const listenPort = wholeNumber('--port', values.port, 0, 65_535) ?? 9000;
  const maxConcurrency = wholeNumber('--max-concurrency', values['max-concurrency'], 1, 10_000);
  const maxQueued = wholeNumber('--max-queued', values['max-queued'], 0, 1_000_000);
  const httpPort = wholeNumber('--http', values.http, 0, 65_535);
  const initTimeout = initTimeoutMs(values['init-timeout']);
  const [command, ...args] = positionals;

  const emulator = await RuntimeApiEmulator.start({
    ...functionOptions,
    host: values.host ?? '127.0.0.1',
    port: listenPort,
    ...(httpPort === undefined ? {} : { functionUrl: { port: httpPort } }),
    output: process.stdout,
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    ...(maxQueued === undefined ? {} : { maxQueuedInvocations: maxQueued }),
    ...(initTimeout === undefined ? {} : { initTimeoutMs: initTimeout }),
    // Supervised: the emulator runs the bootstrap and keeps the function alive through failures.
    // Its folder is the task root (`dist/lambda/bootstrap`), as on Lambda; for a bare command
    // (`node index.mjs`) the current directory is.
    ...(command === undefined ? {} : { runtime: { command, args } }),
  });
  process.stdout.write(
    `${NAME} listening on ${emulator.origin} (AWS_LAMBDA_RUNTIME_API=${emulator.runtimeApi})\n` +
      `invoke with: curl -X POST '${emulator.origin}${FRONT_DOOR_PATH}' -d '{}'\n`,
  );
  if (emulator.functionUrlOrigin !== undefined) {
    process.stdout.write(`function URL: curl '${emulator.functionUrlOrigin}/'\n`);
  }
  if (command === undefined) {
    process.stdout.write('no bootstrap given: start your runtime with the AWS_LAMBDA_RUNTIME_API above\n');
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      // A second Ctrl-C while closing: do not wait for the runtime any longer.
      process.exit(130);
    }
    stopping = true;
    void emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
