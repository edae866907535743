import { writeSync } from 'node:fs';
import type { LogDestination } from './text-destination.js';

// How long to wait before retrying a write to a full non-blocking pipe.
const RETRY_SLEEP_MS = 1;
// About 10 s of a reader that takes nothing: past that, the line is lost rather than the process hung.
const MAX_RETRIES = 10_000;

/**
 * Writes each chunk to a file descriptor before `write` returns (`fs.writeSync`, no buffer), so a
 * line is out even if the process then calls `process.exit()`, spins until it is `SIGKILL`ed or
 * runs out of memory. A non-blocking pipe that is full (`EAGAIN`) is retried after a short sleep,
 * a partial write is continued; any other error (the reader is gone) drops the chunk, since a
 * logger must not crash the function.
 *
 * @example
 * ```ts
 * const stdout = new SyncFdDestination(1);
 * stdout.write('written before this returns\n');
 * ```
 */
export class SyncFdDestination implements LogDestination {
  #sleeper: Int32Array | undefined;

  /** @param fd - the file descriptor to write to (default 1, stdout). */
  constructor(private readonly fd: number = 1) {}

  write(chunk: string): void {
    const bytes = Buffer.from(chunk, 'utf8');
    let offset = 0;
    let retries = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || retries >= MAX_RETRIES) return;
        retries += 1;
        this.#sleep();
      }
    }
  }

  flush(callback: (error?: Error) => void): void {
    callback();
  }

  #sleep(): void {
    this.#sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(this.#sleeper, 0, 0, RETRY_SLEEP_MS);
  }
}
