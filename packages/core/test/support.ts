import type { LambdaEnvironment, Logger } from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import type { RecordedRequest, RuntimeApiEmulator, SpawnedRuntime } from '@lambda-runtime/emulator';
import { ProcessEnvironmentReader } from '@lambda-runtime/env';
import { createLogger } from '@lambda-runtime/logger';
import { UndiciTransport } from '@lambda-runtime/transport-undici';
import { DefaultRuntimeLoop } from '../src/index.js';

/** A JSON logger whose lines are kept in memory. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = createLogger({
    format: 'JSON',
    level: 'TRACE',
    destination: { write: (chunk: string) => chunks.push(chunk) },
  });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function readEnvironment(
  emulator: RuntimeApiEmulator,
  extra: Record<string, string | undefined> = {},
): LambdaEnvironment {
  return new ProcessEnvironmentReader({ env: emulator.environment(extra) }).read();
}

/** A loop wired by hand (no container) to the emulator, plus what a test needs to stop it. */
export function startLoop(
  emulator: RuntimeApiEmulator,
  handler: (event: unknown, context: never) => unknown,
  extraEnv: Record<string, string | undefined> = {},
): {
  loop: DefaultRuntimeLoop;
  running: Promise<void>;
  lines: () => Array<Record<string, unknown>>;
  transport: UndiciTransport;
  /** Stops the loop; the caller closes the emulator, then the transport (a parked /next holds it). */
  stop: () => Promise<void>;
} {
  const environment = readEnvironment(emulator, extraEnv);
  const transport = new UndiciTransport({ origin: emulator.origin });
  const { logger, lines } = memoryLogger();
  const loop = new DefaultRuntimeLoop(
    transport,
    new DefaultContextBuilder(environment),
    new DefaultPayloadCodec(),
    logger,
    environment,
  );
  const running = loop.run(handler as never);
  running.catch(() => undefined);
  return {
    loop,
    running,
    lines,
    transport,
    stop: async () => {
      loop.stop();
      await running.catch(() => undefined);
    },
  };
}

/** The `/response` and `/error` posts for one request id. */
export function answersFor(emulator: RuntimeApiEmulator, requestId: string): RecordedRequest[] {
  // The /next that delivered the invocation carries its id too; only the answers are wanted here.
  return emulator.requests.filter((r) => r.method === 'POST' && r.requestId === requestId);
}

export function nextPolls(emulator: RuntimeApiEmulator): RecordedRequest[] {
  return emulator.requests.filter((r) => r.endpoint === 'next');
}

/** Polls `condition` every 10 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One JSON log line of a runtime process (AWS_LAMBDA_LOG_FORMAT=JSON). */
export interface JsonLogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** The JSON log lines a spawned runtime wrote to stdout so far. */
export function jsonLogLines(runtime: SpawnedRuntime): JsonLogLine[] {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonLogLine);
}
