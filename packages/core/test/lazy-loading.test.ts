import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const coreDirectory = fileURLToPath(new URL('..', import.meta.url));
const coreEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** The CommonJS module files a fresh Node process has loaded after running `script` (ESM). */
function loadedAfter(script: string): string[] {
  const program = `${script}
const { createRequire } = await import('node:module');
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    // Bare specifiers resolve from the core package, whatever directory the tests run from.
    cwd: coreDirectory,
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(output) as string[];
}

describe('what importing the runtime loads', () => {
  it('does not load pino when core is imported', () => {
    const loaded = loadedAfter(`await import(${JSON.stringify(coreEntry)});`);

    // tsyringe is CommonJS too: proof that the check sees what the import loaded.
    expect(loaded.some((file) => file.includes('/tsyringe/'))).toBe(true);
    expect(loaded.filter((file) => file.includes('/pino/'))).toEqual([]);
  });

  it('loads pino when the deferred logger settles', () => {
    const loaded = loadedAfter(
      `const { DeferredLogger } = await import('@lambda-runtime/logger/deferred');
await new DeferredLogger({ destination: { write() {} } }).settle();`,
    );

    expect(loaded.some((file) => file.includes('/pino/'))).toBe(true);
  });
});

describe('what a running runtime loads (real runtime process)', () => {
  const fixture = fileURLToPath(new URL('./fixtures/loaded-modules.mjs', import.meta.url));
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('never loads pino nor node:worker_threads when it has answered invocations one at a time', async () => {
    const runtime = emulator.spawn({ command: process.execPath, args: [fixture] });

    await emulator.invoke({});
    const second = await emulator.invoke({});

    expect(second.json()).toEqual({ pino: false, tsyringe: true, workerThreads: false, net: true });
    await runtime.terminate();
  });
});
