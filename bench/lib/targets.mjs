// The ratios bench/run.mjs reports and the targets it checks, from the per-variant summary
// (`summary[variant][metric] = { median, min, max, n }`, or null where a variant has no figure).

/**
 * The median of `metric` of `variant` divided by the median of `baseMetric` of `base`, or null when
 * either is missing (a variant not measured, or a floor without that metric).
 */
export function ratioOf(summary, variant, metric, base, baseMetric = metric) {
  const value = summary[variant]?.[metric]?.median;
  const baseValue = summary[base]?.[baseMetric]?.median;
  if (value === undefined || value === null || baseValue === undefined || baseValue === null) return null;
  return value / baseValue;
}

/**
 * Each target with its `ratio` and `result`: PASS when ratio ≤ max, FAIL above, n/a (with a
 * `reason`) when the variant or its reference has no figure. `skipped` maps a variant name to why
 * it was skipped.
 *
 * @param {Array<{ label: string, metric: string, variant: string, base: string, baseMetric?: string, max: number }>} targets
 * @param {Record<string, Record<string, { median: number } | null>>} summary
 * @param {Record<string, string>} skipped
 */
export function evaluateTargets(targets, summary, skipped = {}) {
  return targets.map((target) => {
    const ratio = ratioOf(summary, target.variant, target.metric, target.base, target.baseMetric);
    if (ratio !== null) return { ...target, ratio, result: ratio <= target.max ? 'PASS' : 'FAIL' };
    const why = [target.variant, target.base]
      .filter((name) => summary[name] === undefined)
      .map((name) =>
        skipped[name] !== undefined ? `${name} skipped (the reason is below)` : `${name} not measured`,
      );
    return { ...target, ratio, result: 'n/a', reason: why.join('; ') || 'no figure' };
  });
}
