import { isAbsolute, relative } from 'node:path';

/** `1536` → `1.5 KiB`: sizes as `lambda-dev` prints them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A path as `lambda-dev` prints it: relative to the current directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
