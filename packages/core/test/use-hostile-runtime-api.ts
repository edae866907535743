import { SpawnedRuntime, type SpawnRuntimeOptions } from '@lambda-runtime/emulator';
import { afterEach, beforeEach } from 'vitest';
import { HostileRuntimeApiServer } from './hostile-runtime-api-server.js';

/** What {@link useHostileRuntimeApi} gives each test. */
export interface HostileRuntimeApi {
  /** The test's listening server (a new one per test). */
  readonly server: HostileRuntimeApiServer;
  /** Spawns a runtime process that is killed, if still running, after the test. */
  spawn(options: SpawnRuntimeOptions & { readonly environment: Record<string, string> }): SpawnedRuntime;
}

/**
 * Registers hooks that start a {@link HostileRuntimeApiServer} before each test of the enclosing
 * `describe` and, after it, kill the runtime process the test spawned and close the server.
 */
export function useHostileRuntimeApi(): HostileRuntimeApi {
  let server: HostileRuntimeApiServer | undefined;
  let runtime: SpawnedRuntime | undefined;

  beforeEach(async () => {
    server = new HostileRuntimeApiServer();
    await server.listen();
  });

  afterEach(async () => {
    if (runtime !== undefined && runtime.pid !== undefined && runtime.process.exitCode === null) {
      runtime.process.kill('SIGKILL');
      await runtime.exited;
    }
    runtime = undefined;
    await server?.close();
  });

  return {
    get server(): HostileRuntimeApiServer {
      if (server === undefined) throw new Error('useHostileRuntimeApi: the server exists only inside a test');
      return server;
    },
    spawn(options) {
      runtime = new SpawnedRuntime(options);
      return runtime;
    },
  };
}
