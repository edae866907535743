// How long `lambda-dev watch` takes from a saved change to a new bundle, with esbuild's own watch
// (polling) against a plain fs.watch (inotify/FSEvents) + ctx.rebuild(), on the same project.
// Run after `pnpm exec tsc -b`: node packages/dev/scripts/watch-latency.mjs [rounds]
import { watch } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionBuildOptions } from '@lambda-runtime/bundler';
import { context } from 'esbuild';
import { FunctionWatcher } from '../dist/function-watcher.js';

const rounds = Number(process.argv[2] ?? 20);
const root = await mkdtemp(join(tmpdir(), 'watch-latency-'));
await mkdir(join(root, 'src'));
await symlink(fileURLToPath(new URL('../node_modules', import.meta.url)), join(root, 'node_modules'), 'dir');
await writeFile(join(root, 'package.json'), '{"type":"module"}');
const source = (n) =>
  `import { defaultRuntime } from '@lambda-runtime/core';\ndefaultRuntime(() => async () => ${n}).run();\n`;
await writeFile(join(root, 'src/index.ts'), source(0));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (values) =>
  `median ${median(values).toFixed(0)} ms, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)}`;

async function measure(onBuilt, change) {
  const samples = [];
  for (let i = 1; i <= rounds; i += 1) {
    await sleep(300 + Math.random() * 700); // an edit at a random moment of the poll cycle
    const built = new Promise((resolve) => onBuilt.push(resolve));
    const saved = performance.now();
    await change(i);
    await built;
    samples.push(performance.now() - saved);
  }
  return samples;
}

// 1. esbuild's ctx.watch() with the debounce lambda-dev watch uses (delay 100 ms).
const waiting = [];
const watcher = await FunctionWatcher.start({
  entry: 'src/index.ts',
  root,
  onBuild: () => waiting.shift()?.(),
});
const esbuildWatch = await measure(waiting, (i) => writeFile(join(root, 'src/index.ts'), source(i)));
await watcher.close();

// 2. fs.watch on src/ + the same 100 ms debounce + ctx.rebuild().
const ctx = await context({
  ...functionBuildOptions({
    entry: join(root, 'src/index.ts'),
    bundle: join(root, 'out/function.cjs'),
    root,
    minify: false,
    sourcemap: true,
  }),
  logLevel: 'silent',
  write: true,
});
await ctx.rebuild();
const rebuilt = [];
let timer;
const fsWatcher = watch(join(root, 'src'), { recursive: true }, () => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    await ctx.rebuild();
    rebuilt.shift()?.();
  }, 100);
});
const fsWatch = await measure(rebuilt, (i) => writeFile(join(root, 'src/index.ts'), source(rounds + i)));
fsWatcher.close();
await ctx.dispose();
await rm(root, { recursive: true, force: true });

process.stdout.write(
  `save -> new bundle, ${rounds} edits each (esbuild build time included):\n` +
    `  esbuild ctx.watch({ delay: 100 }):       ${show(esbuildWatch)}\n` +
    `  fs.watch + 100 ms debounce + rebuild():  ${show(fsWatch)}\n` +
    `  ratio of medians: ${(median(esbuildWatch) / median(fsWatch)).toFixed(2)}\n`,
);
