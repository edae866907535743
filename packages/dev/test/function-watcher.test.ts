import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FunctionWatcher, type WatchBuildOutcome } from '../src/function-watcher.js';
import { watchedProject } from './support/watched-project.js';

function handlerSource(greeting: string): string {
  return `import { defaultRuntime } from '@lambda-runtime/core';
import { greet } from './greet.js';

defaultRuntime(() => async (event: { name?: string }) => ({ message: greet(${JSON.stringify(greeting)}, event.name ?? 'world') })).run();
`;
}

/** A queue of build outcomes the test can wait on, one at a time. */
class Outcomes {
  readonly #seen: WatchBuildOutcome[] = [];
  #waiters: ((outcome: WatchBuildOutcome) => void)[] = [];

  push = (outcome: WatchBuildOutcome): void => {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#seen.push(outcome);
    else waiter(outcome);
  };

  next(): Promise<WatchBuildOutcome> {
    const seen = this.#seen.shift();
    return seen === undefined ? new Promise((resolve) => this.#waiters.push(resolve)) : Promise.resolve(seen);
  }
}

describe('FunctionWatcher', () => {
  let root: string;
  let watcher: FunctionWatcher | undefined;
  let outcomes: Outcomes;
  let bundles: string[];

  beforeEach(async () => {
    root = await watchedProject('lambda-dev-watcher-');
    await writeFile(join(root, 'src/index.ts'), handlerSource('Hello'));
    await writeFile(
      join(root, 'src/greet.ts'),
      "export const greet = (greeting: string, name: string) => greeting + ', ' + name + '!';\n",
    );
    outcomes = new Outcomes();
    bundles = [];
    watcher = undefined;
  });

  afterEach(async () => {
    await watcher?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function start(entry = 'src/index.ts', debounceMs = 20): Promise<FunctionWatcher> {
    watcher = await FunctionWatcher.start({
      entry,
      root,
      debounceMs,
      onBuild: outcomes.push,
      onBundle: (bundle) => {
        bundles.push(bundle);
      },
    });
    return watcher;
  }

  async function runBundle(bundle: string, event: unknown): Promise<unknown> {
    const emulator = await RuntimeApiEmulator.start();
    try {
      emulator.spawn({ command: process.execPath, args: ['--enable-source-maps', bundle] });
      return (await emulator.invoke(event)).json();
    } finally {
      await emulator.close();
    }
  }

  it('builds a bundle that runs under the runtime when started with an entry file', async () => {
    const started = await start();

    const answer = await runBundle(started.bundle, { name: 'Ada' });

    expect(started.firstBuild.ok).toBe(true);
    expect(answer).toEqual({ message: 'Hello, Ada!' });
  });

  it('rebuilds and hands over the new bundle when an imported source changes', async () => {
    const started = await start();
    await outcomes.next();

    await writeFile(
      join(root, 'src/greet.ts'),
      "export const greet = (greeting: string, name: string) => greeting + ' there, ' + name + '.';\n",
    );
    const rebuilt = await outcomes.next();
    const answer = await runBundle(started.bundle, { name: 'Ada' });

    expect(rebuilt.ok).toBe(true);
    expect(answer).toEqual({ message: 'Hello there, Ada.' });
    expect(bundles).toEqual([started.bundle]);
  });

  it('reports esbuild’s formatted error and keeps the previous bundle when a change does not compile', async () => {
    const started = await start();
    await outcomes.next();
    const good = await readFile(started.bundle, 'utf8');

    await writeFile(
      join(root, 'src/greet.ts'),
      'export const greet = (greeting: string, name: string) => {\n',
    );
    const failed = await outcomes.next();

    expect(failed.ok).toBe(false);
    expect(failed.ok ? '' : failed.errors).toMatch(/\[ERROR\] Unexpected end of file\s+src\/greet\.ts:2:0:/);
    expect(await readFile(started.bundle, 'utf8')).toBe(good);
    expect(bundles).toEqual([]);
  });

  it('goes on watching after a build error and hands over the next good build', async () => {
    const started = await start();
    await outcomes.next();
    await writeFile(join(root, 'src/index.ts'), 'import { nothing } from "./missing.js";\nnothing();\n');
    const failed = await outcomes.next();

    await writeFile(join(root, 'src/index.ts'), handlerSource('Welcome'));
    const fixed = await outcomes.next();
    const answer = await runBundle(started.bundle, { name: 'Ada' });

    expect(failed.ok ? '' : failed.errors).toContain('Could not resolve "./missing.js"');
    expect(fixed.ok).toBe(true);
    expect(answer).toEqual({ message: 'Welcome, Ada!' });
    expect(bundles).toEqual([started.bundle]);
  });

  it('starts with a failed first build and hands over the first good one when the entry is broken at start', async () => {
    await writeFile(join(root, 'src/index.ts'), 'export const = ;\n');
    const started = await start();
    await outcomes.next();

    await writeFile(join(root, 'src/index.ts'), handlerSource('Hi'));
    const fixed = await outcomes.next();

    expect(started.firstBuild.ok).toBe(false);
    expect(fixed.ok).toBe(true);
    expect(bundles).toEqual([started.bundle]);
  });

  it('makes one build of a burst of saves, with the last content, when the writes come within the debounce', async () => {
    const started = await start('src/index.ts', 100);
    await outcomes.next();

    for (const version of ['b1', 'b2', 'b3', 'b4', 'b5'])
      await writeFile(join(root, 'src/index.ts'), handlerSource(version));
    const burst = await outcomes.next();
    const afterBurst = await readFile(started.bundle, 'utf8');
    await writeFile(join(root, 'src/index.ts'), handlerSource('sentinel'));
    const sentinel = await outcomes.next();

    expect(burst.ok).toBe(true);
    expect(afterBurst).toContain('"b5"');
    expect(afterBurst).not.toContain('"b4"');
    // Had the burst made a second build, it would have come here instead of the sentinel's.
    expect(sentinel.ok && (await readFile(started.bundle, 'utf8')).includes('"sentinel"')).toBe(true);
    expect(bundles).toHaveLength(2);
  });

  it('leaves an external package to require at run time, from the project’s node_modules', async () => {
    await mkdir(join(root, 'node_modules/native-like'));
    await writeFile(
      join(root, 'node_modules/native-like/package.json'),
      '{"name":"native-like","main":"index.js"}\n',
    );
    await writeFile(join(root, 'node_modules/native-like/index.js'), 'exports.where = __filename;\n');
    await writeFile(
      join(root, 'src/index.ts'),
      "import { defaultRuntime } from '@lambda-runtime/core';\nimport { where } from 'native-like';\n" +
        'defaultRuntime(() => async () => ({ where })).run();\n',
    );

    watcher = await FunctionWatcher.start({ entry: 'src/index.ts', root, external: ['native-like'] });
    const answer = await runBundle(watcher.bundle, {});

    expect(await readFile(watcher.bundle, 'utf8')).not.toContain('exports.where');
    expect(answer).toEqual({ where: join(root, 'node_modules/native-like/index.js') });
  });

  it('runs a module’s export through the runtime when given a handler name', async () => {
    await writeFile(
      join(root, 'src/orders.ts'),
      'export const handler = async (event: { orderId: string }) => ({ shipped: event.orderId });\n',
    );

    const started = await start('src/orders.handler');
    const answer = await runBundle(started.bundle, { orderId: 'o-1' });

    expect(answer).toEqual({ shipped: 'o-1' });
  });

  it('refuses a file that never starts the runtime, naming the module.export form', async () => {
    await writeFile(join(root, 'src/orders.ts'), 'export const handler = async () => 1;\n');

    const started = await start('src/orders.ts');

    expect(started.firstBuild.ok).toBe(false);
    expect(started.firstBuild.ok ? '' : started.firstBuild.errors).toContain(
      'src/orders.ts never loads @lambda-runtime/core',
    );
  });
});
