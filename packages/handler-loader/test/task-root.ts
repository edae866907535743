import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];

/**
 * Writes `files` (path relative to the root → contents) into a fresh temp directory and returns
 * it. The root gets an untyped `package.json` unless `files` brings its own, so the module type
 * never depends on what happens to sit above the temp directory. The name prefix is what the
 * vitest config keeps away from Vite's transform.
 */
export function createTaskRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'handler-loader-task-root-'));
  created.push(root);
  const all = { 'package.json': '{}', ...files };
  for (const [path, contents] of Object.entries(all)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  return root;
}

/** Removes every root {@link createTaskRoot} made. */
export function removeTaskRoots(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** A CommonJS module whose `handler` answers `{ from }`. */
export function cjs(from: string): string {
  return `exports.handler = async () => ({ from: ${JSON.stringify(from)} });\n`;
}

/** An ES module whose `handler` answers `{ from }`; its top-level await proves it ran as ESM. */
export function esm(from: string): string {
  return `await Promise.resolve();\nexport const handler = async () => ({ from: ${JSON.stringify(from)} });\n`;
}
