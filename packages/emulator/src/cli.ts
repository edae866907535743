#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FRONT_DOOR_PATH } from './invoke-front-door.js';
import { RuntimeApiEmulator } from './runtime-api-emulator.js';

const USAGE = `Usage: lambda-runtime-emulator [options] [-- <bootstrap> [args...]]

Serves the AWS Lambda Runtime API and the invoke endpoint on one port, and runs <bootstrap>
(the runtime) with AWS_LAMBDA_RUNTIME_API pointing at it. Without <bootstrap> it only serves:
start your runtime yourself with the printed AWS_LAMBDA_RUNTIME_API.

Options:
  -p, --port <port>          port to listen on, 0 for any free port (default 9000)
      --host <host>          interface to listen on (default 127.0.0.1)
      --function-name <name> AWS_LAMBDA_FUNCTION_NAME (default test_function)
      --timeout <seconds>    function timeout, sets the deadline (default 300)
      --memory <mb>          AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 3008)
      --region <region>      AWS_REGION (default us-east-1)
      --max-concurrency <n>  Lambda Managed Instances mode: n invocations at once
      --max-queued <n>       invocations that may wait; one more gets 429 (default 100)
  -h, --help                 show this help
`;

function fail(message: string): never {
  process.stderr.write(`lambda-runtime-emulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`--${name} must be an integer from ${min} to ${max}`);
  return value;
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

  const emulator = await RuntimeApiEmulator.start({
    host: values.host ?? '127.0.0.1',
    port: integer('port', values.port, 0, 65_535) ?? 9000,
    functionName: values['function-name'],
    timeoutSeconds: integer('timeout', values.timeout, 1, 900),
    memorySizeMb: integer('memory', values.memory, 128, 10_240),
    region: values.region,
    maxConcurrency: integer('max-concurrency', values['max-concurrency'], 1, 10_000),
    maxQueuedInvocations: integer('max-queued', values['max-queued'], 0, 1_000_000),
  });
  process.stdout.write(
    `lambda-runtime-emulator listening on ${emulator.origin} (AWS_LAMBDA_RUNTIME_API=${emulator.runtimeApi})\n` +
      `invoke with: curl -X POST '${emulator.origin}${FRONT_DOOR_PATH}' -d '{}'\n`,
  );

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const [command, ...args] = positionals;
  if (command === undefined) {
    process.stdout.write('no bootstrap given: start your runtime with the AWS_LAMBDA_RUNTIME_API above\n');
    return;
  }
  const runtime = emulator.spawn({ command, args });
  runtime.process.stdout?.on('data', (text: string) => process.stdout.write(text));
  runtime.process.stderr?.on('data', (text: string) => process.stderr.write(text));
  const exit = await runtime.exited;
  if (stopping) return;
  if (runtime.spawnError !== undefined) {
    process.stderr.write(`lambda-runtime-emulator: cannot start ${command}: ${runtime.spawnError.message}\n`);
  } else {
    process.stderr.write(
      `lambda-runtime-emulator: runtime exited (${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`})\n`,
    );
  }
  await stop(exit.code ?? 1);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'function-name': { type: 'string' },
      timeout: { type: 'string' },
      memory: { type: 'string' },
      region: { type: 'string' },
      'max-concurrency': { type: 'string' },
      'max-queued': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `lambda-runtime-emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
