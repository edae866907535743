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

/**
 * A line chart in side-by-side panels sharing one x axis (plotted on a log2 scale, so 1, 4, 16, 64
 * are evenly spaced), one line per series, one colour per series name across panels (a dashed
 * series is drawn in grey, as a reference line). Used by bench/concurrency.mjs.
 *
 * @param {{ title: string, subtitle: string, xLabel: string, xs: number[],
 *   panels: Array<{ title: string, log?: boolean, digits: number,
 *     series: Array<{ name: string, values: number[], dashed?: boolean }> }> }} input
 * @returns {string} an SVG document
 */
export function renderLineChart({ title, subtitle, xLabel, xs, panels }) {
  const panelWidth = 300;
  const panelGap = 70;
  const left = 64;
  const right = 24;
  const top = 104;
  const plotHeight = 260;
  const bottom = 56;
  const width = left + panels.length * panelWidth + (panels.length - 1) * panelGap + right;
  const height = top + plotHeight + bottom;

  const names = [];
  for (const panel of panels) {
    for (const s of panel.series) if (!s.dashed && !names.includes(s.name)) names.push(s.name);
  }
  const colour = (s) => (s.dashed ? '#9ca3af' : COLORS[names.indexOf(s.name) % COLORS.length]);

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="24" ${FONT} font-size="16" font-weight="600" fill="#111827">${escapeXml(title)}</text>`,
    `<text x="${left}" y="44" ${FONT} font-size="12" fill="#4b5563">${escapeXml(subtitle)}</text>`,
  ];

  // Legend: every named series, then the dashed reference lines.
  let legendX = left;
  const legend = [
    ...names.map((name) => ({ name, dashed: false })),
    ...panels
      .flatMap((p) => p.series.filter((s) => s.dashed))
      .filter((s, i, all) => all.findIndex((o) => o.name === s.name) === i),
  ];
  for (const entry of legend) {
    out.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="62" y2="62" stroke="${colour(entry)}" stroke-width="2.5"${entry.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${legendX + 24}" y="66.5" ${FONT} font-size="12" fill="#111827">${escapeXml(entry.name)}</text>`,
    );
    legendX += 40 + entry.name.length * 7.2;
  }

  const xMin = Math.log2(Math.min(...xs));
  const xMax = Math.log2(Math.max(...xs));
  for (const [p, panel] of panels.entries()) {
    const x0 = left + p * (panelWidth + panelGap);
    const x = (value) =>
      x0 + 14 + (xMax === xMin ? 0.5 : (Math.log2(value) - xMin) / (xMax - xMin)) * (panelWidth - 28);
    const values = panel.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
    const { ticks, y } = panel.log
      ? logAxis(Math.min(...values), Math.max(...values), top, plotHeight)
      : linearAxis(Math.max(...values), top, plotHeight);

    out.push(
      `<text x="${x0}" y="${top - 14}" ${FONT} font-size="12.5" font-weight="600" fill="#111827">${escapeXml(panel.title)}</text>`,
    );
    for (const tick of ticks) {
      const ty = y(tick).toFixed(1);
      out.push(
        `<line x1="${x0}" x2="${x0 + panelWidth}" y1="${ty}" y2="${ty}" stroke="#e5e7eb" stroke-width="1"/>`,
        `<text x="${x0 - 6}" y="${Number(ty) + 4}" ${FONT} font-size="11" fill="#6b7280" text-anchor="end">${formatValue(tick)}</text>`,
      );
    }
    for (const value of xs) {
      out.push(
        `<text x="${x(value).toFixed(1)}" y="${top + plotHeight + 18}" ${FONT} font-size="11" fill="#6b7280" text-anchor="middle">${value}</text>`,
      );
    }
    out.push(
      `<text x="${x0 + panelWidth / 2}" y="${top + plotHeight + 38}" ${FONT} font-size="12" fill="#111827" text-anchor="middle">${escapeXml(xLabel)}</text>`,
      `<line x1="${x0}" x2="${x0}" y1="${top}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
      `<line x1="${x0}" x2="${x0 + panelWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
    );
    for (const s of panel.series) {
      const points = s.values
        .map((v, i) => [xs[i], v])
        .filter(([, v]) => Number.isFinite(v) && v > 0)
        .map(([xv, v]) => `${x(xv).toFixed(1)},${y(v).toFixed(1)}`);
      out.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${colour(s)}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      );
      if (s.dashed) continue;
      for (const [i, v] of s.values.entries()) {
        if (!Number.isFinite(v) || v <= 0) continue;
        out.push(
          `<circle cx="${x(xs[i]).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.2" fill="${colour(s)}"><title>${escapeXml(
            `${s.name}, N=${xs[i]}: ${v.toFixed(panel.digits)}`,
          )}</title></circle>`,
        );
      }
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Decades with 2 and 5 between them, covering [low, high]. */
function logAxis(low, high, top, plotHeight) {
  const lo = 10 ** Math.floor(Math.log10(low));
  const hi = 10 ** Math.ceil(Math.log10(high));
  const ticks = [];
  for (let decade = lo; decade < hi * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m <= hi * 1.0001) ticks.push(decade * m);
  }
  const span = Math.log10(hi) - Math.log10(lo) || 1;
  const y = (value) => top + plotHeight - ((Math.log10(value) - Math.log10(lo)) / span) * plotHeight;
  return { ticks, y };
}

/** From zero to a round step above `high`. */
function linearAxis(high, top, plotHeight) {
  const raw = (high * 1.1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const max = Math.ceil((high * 1.1) / step) * step || 1;
  const ticks = [];
  for (let tick = 0; tick <= max + 1e-9; tick += step) ticks.push(tick);
  const y = (value) => top + plotHeight - (value / max) * plotHeight;
  return { ticks, y };
}

function formatValue(value) {
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}k`;
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}
