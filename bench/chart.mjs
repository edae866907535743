// Writes the README chart as a plain SVG string (no dependency). One panel per report (e.g. a Node 20
// run and a Node 24 run side by side, on one shared axis), in each one group of bars per metric and
// one bar per variant: the variant's median divided by the reference variant's median in the same run
// (aws-lambda-ric, = 1.0, the dashed line). The floor (`node -e 0`) has a bar in the start-up groups
// only. Lower is better everywhere.
//
// As a command, it draws one chart from several bench/run.mjs reports:
//   node bench/chart.mjs bench/results/node-20/latest.json bench/results/node-24/latest.json --out bench/results/chart.svg
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const COLORS = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#db2777'];
/** Fixed colours, so a variant looks the same in every chart. */
const VARIANT_COLORS = {
  floor: '#9ca3af',
  baseline: '#6b7280',
  'aws-lambda-ric': '#d97706',
  command: '#2563eb',
  build: '#16a34a',
};
/** Group labels in two lines (a table header is too wide for a group of bars). */
const CHART_LABELS = {
  spawnToNextMs: ['spawn →', '1st /next'],
  spawnToResponseMs: ['spawn →', '1st response'],
  cpuPerInvocationUs: ['CPU per', 'invocation'],
  latencyP50Us: ['latency', 'p50'],
  latencyP99Us: ['latency', 'p99'],
  peakRssMiB: ['peak', 'RSS'],
};
/** What the chart shows unless told otherwise: p99 latency is left out, it is the noisiest figure. */
const DEFAULT_METRICS = [
  'spawnToNextMs',
  'spawnToResponseMs',
  'cpuPerInvocationUs',
  'latencyP50Us',
  'peakRssMiB',
];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/**
 * @param {{ reports: object[], metrics?: string[] }} input bench/run.mjs reports (latest.json) that
 *   have a reference; `metrics` picks metric keys (default: all but p99 latency)
 * @returns {string} an SVG document
 */
export function renderChart({ reports, metrics: keys = DEFAULT_METRICS }) {
  const first = reports[0];
  const metrics = first.metrics.filter((m) => m.label !== undefined && keys.includes(m.key));
  const variants = [...new Set(reports.flatMap((r) => r.variants.map((v) => v.name)))];
  const colour = (name) => VARIANT_COLORS[name] ?? COLORS[variants.indexOf(name) % COLORS.length];
  const ratio = (report, variant, key) => report.ratios?.[variant]?.[key] ?? null;

  const barWidth = 16;
  const barGap = 2;
  const groupGap = 30;
  const panelGap = 40;
  const groupWidth = variants.length * (barWidth + barGap) - barGap;
  const panelWidth = metrics.length * (groupWidth + groupGap);
  const left = 58;
  const right = 24;
  const top = 124;
  const plotHeight = 280;
  const bottom = 74;
  // Wide enough for the title and subtitles with a single panel.
  const width = Math.max(760, left + reports.length * panelWidth + (reports.length - 1) * panelGap + right);
  const height = top + plotHeight + bottom;

  const all = reports.flatMap((r) => variants.flatMap((v) => metrics.map((m) => ratio(r, v, m.key))));
  const highest = Math.max(1.2, ...all.filter((v) => v !== null));
  const step = highest <= 1.5 ? 0.25 : highest <= 3 ? 0.5 : highest <= 6 ? 1 : 2;
  const yMax = Math.ceil((highest * 1.08) / step) * step;
  const y = (value) => top + plotHeight - (value / yMax) * plotHeight;
  const references = [...new Set(reports.map((r) => r.reference))];
  const machine = first.machine;

  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`Benchmark: variants relative to ${references.join(', ')}`)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="24" ${FONT} font-size="16" font-weight="600" fill="#111827">${escapeXml(
      `Relative to ${references.join(' / ')} (= 1.0) in the same run; lower is better`,
    )}</text>`,
    `<text x="${left}" y="42" ${FONT} font-size="12" fill="#4b5563">${escapeXml(
      `Medians of ${[...new Set(reports.map((r) => r.settings.runs))].join('/')} interleaved runs (start-up: ${[
        ...new Set(reports.map((r) => r.settings.runs * (r.settings.coldStartsPerRun ?? 1))),
      ].join('/')} cold starts), ${[
        ...new Set(reports.map((r) => r.settings.invocations.toLocaleString('en-US'))),
      ].join('/')} invocations per run; floor = node -e 0, spawn → exit`,
    )}</text>`,
    `<text x="${left}" y="58" ${FONT} font-size="12" fill="#4b5563">${escapeXml(
      `${machine.cpuModel}, ${machine.cores} cores, ${machine.os}`,
    )}</text>`,
  );

  // Legend.
  let legendX = left;
  for (const name of variants) {
    out.push(
      `<rect x="${legendX}" y="70" width="12" height="12" rx="2" fill="${colour(name)}"/>`,
      `<text x="${legendX + 17}" y="80.5" ${FONT} font-size="12" fill="#111827">${escapeXml(name)}</text>`,
    );
    legendX += 34 + name.length * 7.6;
  }

  for (const [p, report] of reports.entries()) {
    const x0 = left + p * (panelWidth + panelGap);
    const x1 = x0 + panelWidth;
    out.push(
      `<text x="${x0}" y="${top - 16}" ${FONT} font-size="13" font-weight="600" fill="#111827">${escapeXml(
        `Node ${report.machine.node}`,
      )}</text>`,
    );
    // Grid and axis.
    for (let tick = 0; tick <= yMax + 1e-9; tick += step) {
      const ty = y(tick).toFixed(1);
      out.push(`<line x1="${x0}" x2="${x1}" y1="${ty}" y2="${ty}" stroke="#e5e7eb" stroke-width="1"/>`);
      out.push(
        `<text x="${x0 - 6}" y="${Number(ty) + 4}" ${FONT} font-size="11" fill="#6b7280" text-anchor="end">${formatTick(tick)}×</text>`,
      );
    }
    // The reference line, under the bars and their labels.
    const one = y(1).toFixed(1);
    out.push(
      `<line x1="${x0}" x2="${x1}" y1="${one}" y2="${one}" stroke="#111827" stroke-width="1.2" stroke-dasharray="5 4"/>`,
    );

    for (const [g, metric] of metrics.entries()) {
      const groupX = x0 + groupGap / 2 + g * (groupWidth + groupGap);
      for (const [i, name] of variants.entries()) {
        const value = ratio(report, name, metric.key);
        if (value === null) continue;
        const x = groupX + i * (barWidth + barGap);
        const barTop = y(value);
        const h = Math.max(1, top + plotHeight - barTop);
        const absolute = report.summary[name][metric.key].median;
        out.push(
          `<rect x="${x}" y="${(top + plotHeight - h).toFixed(1)}" width="${barWidth}" height="${h.toFixed(1)}" fill="${colour(name)}"><title>${escapeXml(
            `Node ${report.machine.node}, ${name}, ${metric.label}: ${absolute.toFixed(digits(metric))} ${metric.unit} (${value.toFixed(2)}× ${report.reference})`,
          )}</title></rect>`,
        );
        const labelY = barTop - 4;
        const cx = x + barWidth / 2;
        out.push(
          `<text x="${cx}" y="${labelY.toFixed(1)}" ${FONT} font-size="10" fill="#111827" stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="start" transform="rotate(-90 ${cx} ${labelY.toFixed(1)})" dy="3.5">${value.toFixed(2)}</text>`,
        );
      }
      const centre = groupX + groupWidth / 2;
      const base = report.summary[report.reference]?.[metric.key]?.median;
      const [line1, line2] = CHART_LABELS[metric.key] ?? [metric.label, ''];
      out.push(
        `<text x="${centre}" y="${top + plotHeight + 17}" ${FONT} font-size="11.5" font-weight="600" fill="#111827" text-anchor="middle">${escapeXml(line1)}</text>`,
        `<text x="${centre}" y="${top + plotHeight + 31}" ${FONT} font-size="11.5" font-weight="600" fill="#111827" text-anchor="middle">${escapeXml(line2)}</text>`,
      );
      if (base !== undefined && base !== null) {
        out.push(
          `<text x="${centre}" y="${top + plotHeight + 47}" ${FONT} font-size="10.5" fill="#6b7280" text-anchor="middle">${escapeXml(
            `1.0 = ${base.toFixed(digits(metric))} ${metric.unit}`,
          )}</text>`,
        );
      }
    }
    out.push(
      `<line x1="${x0}" x2="${x0}" y1="${top}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
      `<line x1="${x0}" x2="${x1}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#9ca3af" stroke-width="1"/>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Digits for a metric's absolute figure (reports carry the unit, not the digits). */
function digits(metric) {
  return metric.unit === 'µs' && metric.key.startsWith('latency') ? 0 : 1;
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      metrics: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(
      'node bench/chart.mjs <latest.json>... [--out chart.svg] [--metrics spawnToResponseMs,cpuPerInvocationUs,...]\n' +
        '  one chart, one panel per report (e.g. bench/results/node-20/latest.json bench/results/node-24/latest.json)\n',
    );
    process.exit(values.help ? 0 : 2);
  }
  const reports = positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const without = positionals.filter((_, i) => reports[i].ratios === null || reports[i].ratios === undefined);
  if (without.length > 0) {
    process.stderr.write(
      `no reference variant (ratios) in ${without.join(', ')}: run bench/run.mjs with aws-lambda-ric or baseline\n`,
    );
    process.exit(2);
  }
  const svg = renderChart({ reports, metrics: values.metrics?.split(',') });
  if (values.out === undefined) process.stdout.write(svg);
  else writeFileSync(values.out, svg);
}
