import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `node bench/<script> ...args` from the repository root, as `pnpm bench` does. */
function run(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(bench, script), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
}

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bench-test-'));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('bench/run.mjs', () => {
  it('reports the floor with start-up figures only, over every cold start, and ratios to the baseline when aws-lambda-ric is not selected', () => {
    const out = join(scratch, 'results');

    const result = run('run.mjs', [
      '--runs',
      '1',
      '--invocations',
      '20',
      '--warmup',
      '0',
      '--variants',
      'floor,baseline',
      '--out',
      out,
    ]);

    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    expect(report.reference).toBe('baseline');
    // Three cold starts per run by default, the full measurement's included.
    expect(report.summary.floor.spawnToNextMs.n).toBe(3);
    expect(report.summary.baseline.spawnToResponseMs.n).toBe(3);
    expect(report.summary.baseline.cpuPerInvocationUs.n).toBe(1);
    expect(report.summary.floor.cpuPerInvocationUs).toBeNull();
    expect(report.ratios.floor.peakRssMiB).toBeNull();
    expect(report.targets.map((t: { result: string }) => t.result)).toEqual(Array(7).fill('n/a'));
    const floorRow = readFileSync(join(out, 'table.md'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| floor |'));
    expect(floorRow).toMatch(/\| — \| — \| — \| — \|$/);
    expect(floorRow).not.toContain('NaN');
  });

  it('exits 1 under --strict when a target is not met', () => {
    const result = run('run.mjs', [
      '--runs',
      '1',
      '--variants',
      'floor',
      '--strict',
      '--out',
      join(scratch, 'results'),
    ]);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain('n/a  cold start (spawn → 1st response), command');
  });

  it('skips aws-lambda-ric with the reason and writes nothing into its cache when no toolchain is on PATH', () => {
    const cache = join(scratch, 'xdg');
    const emptyPath = join(scratch, 'empty-bin');

    const result = run(
      'run.mjs',
      ['--runs', '1', '--variants', 'floor,aws-lambda-ric', '--out', join(scratch, 'results')],
      { XDG_CACHE_HOME: cache, LAMBDA_RUNTIME_BENCH_PARENT_PATH: emptyPath },
    );

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/skipped aws-lambda-ric: .*cmake.* not on PATH/);
    expect(result.stdout).toContain(
      '0.8× aws-lambda-ric; command not measured; aws-lambda-ric skipped (the reason is below)',
    );
    expect(readdirSync(scratch)).not.toContain('xdg');
  });

  it('exits 2 and lists the known variants when a variant name is unknown', () => {
    const result = run('run.mjs', ['--variants', 'floor,nope']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown variant(s) nope; known: floor, baseline, aws-lambda-ric');
  });
});

describe('bench/soak.mjs', () => {
  it('exits 2 with the usage when an option is unknown', () => {
    const result = run('soak.mjs', ['--bogus']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain('--subjects a,b');
  });

  it('answers every invocation of both subjects exactly once and prints their RSS growth side by side', () => {
    const result = run('soak.mjs', ['--count', '60', '--warmup', '10', '--fail-every', '7']);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.match(/answered exactly once {5}70$/gm)).toHaveLength(2);
    expect(result.stdout).toMatch(/^ {2}runtime +\d+\.\d MiB +\d+\.\d MiB +[+−]\d+\.\d MiB +\d\.\d{3}$/m);
    expect(result.stdout).toMatch(/^ {2}baseline +\d+\.\d MiB +\d+\.\d MiB +[+−]\d+\.\d MiB +\d\.\d{3}$/m);
    expect(result.stdout).toContain('PASS: every invocation of runtime and baseline answered exactly once');
  });
});

describe('bench/chart.mjs', () => {
  it('draws one panel per report and the floor only in the start-up groups when given two reports', () => {
    const metrics = [
      { key: 'spawnToNextMs', label: 'spawn → 1st /next', unit: 'ms', startup: true },
      { key: 'cpuPerInvocationUs', label: 'CPU / invocation', unit: 'µs', startup: false },
    ];
    const report = (node: string) => ({
      machine: { node, cpuModel: 'Test CPU', cores: 2, os: 'Test OS' },
      settings: { runs: 11, invocations: 20000 },
      metrics,
      variants: [{ name: 'floor' }, { name: 'aws-lambda-ric' }],
      reference: 'aws-lambda-ric',
      summary: {
        floor: { spawnToNextMs: { median: 25 }, cpuPerInvocationUs: null },
        'aws-lambda-ric': { spawnToNextMs: { median: 40 }, cpuPerInvocationUs: { median: 300 } },
      },
      ratios: {
        floor: { spawnToNextMs: 0.625, cpuPerInvocationUs: null },
        'aws-lambda-ric': { spawnToNextMs: 1, cpuPerInvocationUs: 1 },
      },
    });
    const files = ['v20.20.2', 'v24.22.3'].map((node) => {
      const file = join(scratch, `${node}.json`);
      writeFileSync(file, JSON.stringify(report(node)));
      return file;
    });
    const out = join(scratch, 'chart.svg');

    const result = run('chart.mjs', [
      ...files,
      '--out',
      out,
      '--metrics',
      'spawnToNextMs,cpuPerInvocationUs',
    ]);

    expect(result.status, result.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('>Node v20.20.2<');
    expect(svg).toContain('>Node v24.22.3<');
    expect(svg.match(/<title>Node v\d+\.\d+\.\d+, floor, /g)).toHaveLength(2);
    expect(svg).toContain('floor, spawn → 1st /next: 25.0 ms (0.63× aws-lambda-ric)');
  });
});
