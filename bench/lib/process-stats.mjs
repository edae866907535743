// Measurements the bench harnesses (bench/run.mjs, bench/concurrency.mjs) take of a process and of
// the machine, from /proc and a few commands; and the summary statistics they report.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** utime + stime of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may contain spaces): state is field 3,
  // utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Idle + iowait time of every core of the machine, in clock ticks (the `cpu` line of /proc/stat). */
export function machineIdleTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  return Number(fields[4]) + Number(fields[5]);
}

/**
 * A kB field of /proc/<pid>/status, e.g. VmHWM (peak resident set size). When the field is absent it
 * throws, or gives `missing` when one is passed.
 */
export function statusField(pid, name, ...missing) {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  if (match !== null) return Number(match[1]);
  if (missing.length > 0) return missing[0];
  throw new Error(`no ${name} in /proc/${pid}/status`);
}

/** The commit measured, with `-dirty` when the working tree differs from it. */
export function gitDescription(cwd) {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Median, min, max and count of `values`. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], n };
}

/** The machine a report was measured on; `loadAverageEnd` is for the caller to add. */
export function describeMachine() {
  const list = cpus();
  let osName = `${type()} ${release()}`;
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?/m);
    if (pretty) osName = `${pretty[1]} (${type()} ${release()})`;
  } catch {}
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: osName,
    loadAverageStart: loadAverage(),
  };
}

/** The 1, 5 and 15 minute load averages, to two decimals. */
export function loadAverage() {
  return loadavg().map((l) => Number(l.toFixed(2)));
}
