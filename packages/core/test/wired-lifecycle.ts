import type { LambdaEnvironment, RuntimeLoop } from '@lambda-runtime/api';
import { DefaultContextBuilder, DefaultPayloadCodec } from '@lambda-runtime/context';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { afterEach, beforeEach } from 'vitest';
import { DefaultRuntimeLoop, RuntimeApiClient, RuntimeLifecycle } from '../src/index.js';
import { memoryLogger, readEnvironment } from './support.js';

/** What {@link useWiredLifecycle} gives each test: fresh before it, closed after it. */
export interface WiredLifecycle {
  readonly emulator: RuntimeApiEmulator;
  /** A pipelining socket transport to the emulator. */
  readonly transport: SocketTransport;
  readonly environment: LambdaEnvironment;
  /** The exit codes the lifecycle asked for, in order. */
  readonly codes: number[];
  /** The loop the lifecycle built, once it has. */
  readonly loop: RuntimeLoop | undefined;
  /** A lifecycle wired by hand (no container) to the emulator, its loop a DefaultRuntimeLoop. */
  lifecycle(client?: RuntimeApiClient): {
    runtime: RuntimeLifecycle;
    lines: () => Array<Record<string, unknown>>;
  };
}

/**
 * Registers, in the calling `describe`, an emulator, a transport and an environment started before
 * each test, and the loop stopped and both closed after it: the lifecycle of the composition root
 * written out by hand, for tests that drive RuntimeLifecycle directly.
 */
export function useWiredLifecycle(): WiredLifecycle {
  let emulator: RuntimeApiEmulator | undefined;
  let transport: SocketTransport | undefined;
  let environment: LambdaEnvironment | undefined;
  let loop: RuntimeLoop | undefined;
  const codes: number[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useWiredLifecycle: used outside a test');
    return value;
  };

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
    environment = readEnvironment(emulator);
    transport = new SocketTransport({ origin: emulator.origin, pipelining: true });
    codes.length = 0;
  });

  afterEach(async () => {
    loop?.stop();
    loop = undefined;
    await emulator?.close();
    await transport?.close();
  });

  return {
    get emulator() {
      return started(emulator);
    },
    get transport() {
      return started(transport);
    },
    get environment() {
      return started(environment);
    },
    codes,
    get loop() {
      return loop;
    },
    lifecycle(client = new RuntimeApiClient(started(transport))) {
      const { logger, lines } = memoryLogger();
      const wiredTransport = started(transport);
      const wiredEnvironment = started(environment);
      const runtime = new RuntimeLifecycle(
        {
          environment: wiredEnvironment,
          logger,
          transport: wiredTransport,
          client,
          createLoop: () => {
            loop = new DefaultRuntimeLoop(
              wiredTransport,
              new DefaultContextBuilder(wiredEnvironment),
              new DefaultPayloadCodec(),
              logger,
              wiredEnvironment,
              { client },
            );
            return loop;
          },
        },
        { exit: (code) => codes.push(code), routeConsole: false, processHandlers: false },
      );
      return { runtime, lines };
    },
  };
}
