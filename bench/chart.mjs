// Writes the README chart as a plain SVG string (no dependency): one group of bars per metric, one
// bar per variant, each bar the variant's median divided by the baseline's median in the same run,
// so every metric shares one axis and the baseline is the line at 1.0. Lower is better everywhere.

const COLORS = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#db2777'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/**
 * @param {{ report: object, metrics: Array<{ key: string, label: string, unit: string, digits: number }>, baseline: string }} input
 * @returns {string} an SVG document
 */
export function renderChart({ report, metrics, baseline }) {
  const variants = report.variants.map((v) => v.name);
  const ratio = (variant, key) => report.ratiosToBaseline[variant][key];

  const barWidth = 22;
  const barGap = 3;
  const groupGap = 40;
  const groupWidth = variants.length * (barWidth + barGap) - barGap;
  const left = 58;
  const right = 36;
  const top = 84;
  const plotHeight = 280;
  const bottom = 62;
  const width = left + metrics.length * (groupWidth + groupGap) - groupGap + right + groupGap / 2;
  const height = top + plotHeight + bottom;

  const highest = Math.max(1.2, ...variants.flatMap((v) => metrics.map((m) => ratio(v, m.key))));
  const step = highest <= 1.5 ? 0.25 : highest <= 3 ? 0.5 : highest <= 6 ? 1 : 2;
  const yMax = Math.ceil((highest * 1.08) / step) * step;
  const y = (value) => top + plotHeight - (value / yMax) * plotHeight;

  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Benchmark: variants relative to the baseline">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="24" ${FONT} font-size="16" font-weight="600" fill="#111827">Runtime variants relative to the node:http baseline (= 1.0; lower is better)</text>`,
    `<text x="${left}" y="44" ${FONT} font-size="12" fill="#4b5563">${escapeXml(
      `Medians of ${report.settings.runs} runs, ${report.settings.invocations.toLocaleString('en-US')} invocations per run; ${report.machine.cpuModel}, ${report.machine.cores} cores, Node ${report.machine.node}`,
    )}</text>`,
  );

  // Legend.
  let legendX = left;
  for (const [i, name] of variants.entries()) {
    out.push(
      `<rect x="${legendX}" y="56" width="12" height="12" rx="2" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${legendX + 17}" y="66.5" ${FONT} font-size="12" fill="#111827">${escapeXml(name)}</text>`,
    );
    legendX += 30 + name.length * 7.2;
  }

  // Grid and axis.
  for (let tick = 0; tick <= yMax + 1e-9; tick += step) {
    const ty = y(tick).toFixed(1);
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${ty}" y2="${ty}" stroke="#e5e7eb" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${Number(ty) + 4}" ${FONT} font-size="11" fill="#6b7280" text-anchor="end">${formatTick(tick)}×</text>`,
    );
  }

  // The baseline line, under the bars and their labels.
  const one = y(1).toFixed(1);
  out.push(
    `<line x1="${left}" x2="${width - right}" y1="${one}" y2="${one}" stroke="#111827" stroke-width="1.2" stroke-dasharray="5 4"/>`,
  );

  // Bars.
  for (const [g, metric] of metrics.entries()) {
    const groupX = left + groupGap / 2 + g * (groupWidth + groupGap);
    for (const [i, name] of variants.entries()) {
      const value = ratio(name, metric.key);
      const x = groupX + i * (barWidth + barGap);
      const barTop = y(value);
      const h = Math.max(1, top + plotHeight - barTop);
      const absolute = report.summary[name][metric.key].median;
      out.push(
        `<rect x="${x}" y="${(top + plotHeight - h).toFixed(1)}" width="${barWidth}" height="${h.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${escapeXml(
          `${name}, ${metric.label}: ${absolute.toFixed(metric.digits)} ${metric.unit} (${value.toFixed(2)}× baseline)`,
        )}</title></rect>`,
      );
      const labelY = barTop - 5;
      const cx = x + barWidth / 2;
      out.push(
        `<text x="${cx}" y="${labelY.toFixed(1)}" ${FONT} font-size="10.5" fill="#111827" stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="start" transform="rotate(-90 ${cx} ${labelY.toFixed(1)})" dy="3.5">${value.toFixed(2)}</text>`,
      );
    }
    const centre = groupX + groupWidth / 2;
    const base = report.summary[baseline][metric.key].median;
    out.push(
      `<text x="${centre}" y="${top + plotHeight + 20}" ${FONT} font-size="12" font-weight="600" fill="#111827" text-anchor="middle">${escapeXml(metric.label)}</text>`,
      `<text x="${centre}" y="${top + plotHeight + 36}" ${FONT} font-size="11" fill="#6b7280" text-anchor="middle">${escapeXml(
        `baseline ${base.toFixed(metric.digits)} ${metric.unit}`,
      )}</text>`,
    );
  }

  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

function formatTick(value) {
  return Number.isInteger(value) ? value.toFixed(0) : value.toFixed(2).replace(/0$/, '');
}

function escapeXml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
