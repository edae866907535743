import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Measures "Max Memory Used" of a runtime: the peak resident set size, in MB (rounded up), of the
 * runtime's process group. On Linux it is the sum of `VmHWM` (the kernel's high-water mark of
 * each process's resident memory) over the bootstrap and every process still in its group; the
 * peak of a child that has already exited is lost. Elsewhere it is the current resident size of
 * the bootstrap (`ps -o rss=`), and the highest value seen so far per process is kept. Lambda
 * measures the whole execution environment's memory (its cgroup), which also counts page cache
 * and extensions, so its figure is usually a little higher.
 *
 * @example
 * ```ts
 * const probe = new MemoryProbe();
 * const mb = probe.maxMemoryUsedMb(runtime.pid); // e.g. 45
 * ```
 */
export class MemoryProbe {
  readonly #peaks = new Map<number, number>();
  readonly #linux: boolean;

  constructor(platform: NodeJS.Platform = process.platform) {
    this.#linux = platform === 'linux';
  }

  /**
   * The peak memory of the process group led by `pid`, in MB, never lower than an earlier reading
   * for the same pid (a process that has exited keeps its last reading); `undefined` if it was
   * never readable.
   */
  maxMemoryUsedMb(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined;
    const kilobytes = this.#linux ? groupHighWaterKb(pid) : psResidentKb(pid);
    const previous = this.#peaks.get(pid);
    if (kilobytes === undefined) return previous;
    const megabytes = Math.max(previous ?? 0, Math.ceil(kilobytes / 1024));
    this.#peaks.set(pid, megabytes);
    return megabytes;
  }

  /** Forgets a process's readings (it has exited and been replaced). */
  forget(pid: number | undefined): void {
    if (pid !== undefined) this.#peaks.delete(pid);
  }
}

/** Sum of `VmHWM` over the processes of group `pgid`; `undefined` when its leader is gone. */
function groupHighWaterKb(pgid: number): number | undefined {
  const leader = highWaterKb(pgid);
  if (leader === undefined) return undefined;
  let total = leader;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return total;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
    if (processGroup(entry) !== pgid) continue;
    total += highWaterKb(Number(entry)) ?? 0;
  }
  return total;
}

function highWaterKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Field 5 of `/proc/<pid>/stat` (after the parenthesised command, which may contain spaces). */
function processGroup(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

function psResidentKb(pid: number): number | undefined {
  try {
    const text = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const kilobytes = Number(text.trim());
    return Number.isFinite(kilobytes) && text.trim() !== '' ? kilobytes : undefined;
  } catch {
    return undefined;
  }
}
