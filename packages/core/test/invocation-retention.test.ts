import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/handler-styles.mjs', import.meta.url));

// Unoptimised code only (no Maglev or TurboFan), where the retention showed, so the check does not
// depend on when V8 happens to optimise the loop.
const NODE_FLAGS = ['--no-opt', '--no-maglev', '--trace-gc-nvp'];
const WARM_UP = 1_000;
const MEASURED = 2_000;
// An answered invocation must not survive a scavenge. With a fresh closure stored on the context
// per invocation, V8 kept every invocation's objects alive and promoted about 100 KiB per scavenge
// (MiBs over these invocations); without it a whole run promotes a few KiB.
const MAX_PROMOTED_BYTES = 256 * 1024;

/** Bytes the young generation promoted to the old one, summed over the scavenges in `trace`. */
function promotedByScavenges(trace: string): { scavenges: number; promoted: number } {
  let scavenges = 0;
  let promoted = 0;
  for (const line of trace.split('\n')) {
    if (!line.includes(' gc=s ')) continue;
    const match = / promoted=(\d+) /.exec(line);
    if (match === null) continue;
    scavenges += 1;
    promoted += Number(match[1]);
  }
  return { scavenges, promoted };
}

describe('invocations do not outlive their answer (real runtime process, V8 GC trace)', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it.each(['async', 'sync', 'callback'])(
    'a %s handler promotes next to nothing to the old generation once warm',
    async (style) => {
      const runtime = emulator.spawn({
        command: process.execPath,
        args: [...NODE_FLAGS, fixture],
        env: { FIXTURE_STYLE: style, AWS_LAMBDA_LOG_LEVEL: 'WARN' },
      });
      for (let i = 0; i < WARM_UP; i += 1) await emulator.invoke({ value: i });
      const warmAt = runtime.stdout.length;
      for (let i = 0; i < MEASURED; i += 1) {
        const result = await emulator.invoke({ value: i });
        if (result.via !== 'response') throw new Error(`invocation ${i} failed: ${result.errorType}`);
      }
      await runtime.terminate();

      const { scavenges, promoted } = promotedByScavenges(runtime.stdout.slice(warmAt));
      // The measurement is only meaningful if the young generation was collected meanwhile.
      expect(scavenges).toBeGreaterThan(2);
      expect(promoted).toBeLessThan(MAX_PROMOTED_BYTES);
    },
    60_000,
  );
});
