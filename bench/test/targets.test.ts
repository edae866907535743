import { describe, expect, it } from 'vitest';
import { evaluateTargets, ratioOf, type Summary } from '../lib/targets.mjs';

const figure = (median: number) => ({ median });

const SUMMARY: Summary = {
  floor: { spawnToNextMs: figure(25), cpuPerInvocationUs: null },
  'aws-lambda-ric': { spawnToResponseMs: figure(40), cpuPerInvocationUs: figure(300) },
  build: { spawnToNextMs: figure(30), spawnToResponseMs: figure(26), cpuPerInvocationUs: figure(240) },
};

describe('ratioOf', () => {
  it('divides the medians of two metrics when the target names a different base metric', () => {
    const ratio = ratioOf(SUMMARY, 'build', 'spawnToNextMs', 'floor', 'spawnToNextMs');

    expect(ratio).toBeCloseTo(1.2, 10);
  });

  it('gives null when the base has no figure for the metric', () => {
    const ratio = ratioOf(SUMMARY, 'build', 'cpuPerInvocationUs', 'floor');

    expect(ratio).toBeNull();
  });
});

describe('evaluateTargets', () => {
  it('compares each target with its own reference when targets name different bases', () => {
    const targets = [
      { label: 'cold', metric: 'spawnToResponseMs', variant: 'build', base: 'aws-lambda-ric', max: 0.7 },
      { label: 'next', metric: 'spawnToNextMs', variant: 'build', base: 'floor', max: 1.3 },
    ];

    const [cold, next] = evaluateTargets(targets, SUMMARY);

    expect(cold).toMatchObject({ result: 'PASS', ratio: 0.65 });
    expect(next).toMatchObject({ result: 'PASS' });
    expect(next?.ratio).toBeCloseTo(1.2, 10);
  });

  it('fails a target when the ratio is above its maximum', () => {
    const targets = [
      { label: 'cpu', metric: 'cpuPerInvocationUs', variant: 'build', base: 'aws-lambda-ric', max: 0.7 },
    ];

    const [cpu] = evaluateTargets(targets, SUMMARY);

    expect(cpu).toMatchObject({ result: 'FAIL', ratio: 0.8 });
  });

  it('gives n/a with the skipped variant named when the reference was skipped', () => {
    const targets = [
      { label: 'rss', metric: 'peakRssMiB', variant: 'command', base: 'aws-lambda-ric', max: 1 },
    ];
    const summary: Summary = { floor: { spawnToNextMs: figure(25) } };

    const [rss] = evaluateTargets(targets, summary, { 'aws-lambda-ric': 'no cmake on PATH' });

    expect(rss).toMatchObject({ result: 'n/a', ratio: null });
    expect(rss?.reason).toBe('command not measured; aws-lambda-ric skipped (the reason is below)');
  });
});
