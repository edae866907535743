// Types of targets.mjs, for the TypeScript tests.

/** A variant's median figures per metric; null where the variant has no such figure (the floor). */
export type Summary = Record<string, Record<string, { median: number } | null>>;

export interface Target {
  readonly label: string;
  readonly metric: string;
  readonly variant: string;
  readonly base: string;
  readonly baseMetric?: string;
  readonly max: number;
}

export interface EvaluatedTarget extends Target {
  readonly ratio: number | null;
  readonly result: 'PASS' | 'FAIL' | 'n/a';
  readonly reason?: string;
}

export function ratioOf(
  summary: Summary,
  variant: string,
  metric: string,
  base: string,
  baseMetric?: string,
): number | null;

export function evaluateTargets(
  targets: readonly Target[],
  summary: Summary,
  skipped?: Record<string, string>,
): EvaluatedTarget[];
