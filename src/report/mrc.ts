/**
 * The HTML report of `vmm386 mrc`: the miss-ratio curves (one line per
 * curve, memory in frames on x, misses per reference on y), the LRU
 * reuse-distance histogram, the estimates' errors and a table. A chart with
 * thousands of sizes is drawn from a subset of them; the table, CSV and
 * JSON keep every point (mrc-table.ts).
 */
import { curveName, type MrcCurve, type MrcResult } from "../sim/mrc/curve.js";
import { frame, renderChart, valueAxis } from "./render-chart.js";
import { mrcChartOption } from "./mrc-chart.js";
import { escapeHtml, keyValueTable, page, table } from "./html.js";
import { errorText, ratioAt, summarySizes } from "./mrc-table.js";

/** Histogram bars at most: past this many distances, bars are powers of two. */
const HISTOGRAM_BARS = 128;

/** The curves as one SVG chart. */
export function mrcChart(result: MrcResult, width?: number, height?: number): string {
  return renderChart(mrcChartOption(result), width, height);
}

/** The reuse-distance histogram of a curve with one (references per stack distance; first references apart). */
export function histogramChart(c: MrcCurve, width?: number, height?: number): string {
  const counts = c.histogram?.counts ?? [];
  const bars = histogramBars(counts);
  return renderChart(
    {
      ...frame(`Reuse (stack) distances: ${curveName(c)}`, `${(c.histogram?.cold ?? 0).toLocaleString("en-US")} first references not shown`),
      tooltip: { show: false },
      legend: { show: false },
      xAxis: { type: "category", name: "stack distance (pages)", nameLocation: "middle", nameGap: 30, data: bars.map((b) => b.label) },
      yAxis: valueAxis("references", { type: "log", logBase: 10, min: 1, nameGap: 50 }),
      grid: { left: 72, right: 24, top: 60, bottom: 60 },
      series: [{ type: "bar", data: bars.map((b) => (b.count > 0 ? b.count : null)) }],
    },
    width,
    height,
  );
}

/** One bar per distance, or per power-of-two range of distances when there are many. */
function histogramBars(counts: readonly number[]): { label: string; count: number }[] {
  const last = counts.length - 1;
  if (last <= HISTOGRAM_BARS) return counts.slice(1).map((count, i) => ({ label: String(i + 1), count }));
  const bars: { label: string; count: number }[] = [];
  for (let lo = 1; lo <= last; lo *= 2) {
    const hi = Math.min(last, 2 * lo - 1);
    let count = 0;
    for (let d = lo; d <= hi; d++) count += counts[d];
    bars.push({ label: lo === hi ? String(lo) : `${lo}-${hi}`, count });
  }
  return bars;
}

/** The HTML report: the curves, the LRU reuse-distance histogram, errors and a table at the summary sizes. */
export function renderMrcHtml(result: MrcResult): string {
  const title = `Miss-ratio curves of ${result.trace}`;
  const withHistogram = result.curves.find((c) => c.policy === "lru" && c.histogram !== undefined) ?? result.curves.find((c) => c.histogram !== undefined);
  const facts: [string, string][] = [
    ["format", result.format],
    ["accesses", result.accesses.toLocaleString("en-US")],
    ["page references", result.references.toLocaleString("en-US")],
    ["distinct pages", result.distinctPages.toLocaleString("en-US")],
    ["seconds", result.seconds.toFixed(2)],
  ];
  const header = ["frames", ...result.curves.map(curveName)];
  const rows = summarySizes(result).map((s) => [String(s), ...result.curves.map((c) => ratioAt(c, s))]);
  const errors = result.curves.filter((c) => c.error !== undefined).map((c): [string, string] => [`${curveName(c)} vs ${c.error?.against ?? ""}`, errorText(c)]);
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="lead">Misses per page reference at each memory size; solid lines are exact (or full simulations), dashed ones estimates from a sample.</p>`,
    keyValueTable(facts),
    `<div>${mrcChart(result, 1000, 440)}</div>`,
    withHistogram === undefined ? "" : `<h2>Reuse distances</h2><div>${histogramChart(withHistogram, 1000, 360)}</div>`,
    errors.length === 0 ? "" : `<h2>Estimation error</h2>${keyValueTable(errors)}`,
    "<h2>Miss ratios</h2>",
    table(header, rows, header.map((_, i) => i)),
    "<p>Every point is in <code>--json</code> and <code>--csv</code>.</p>",
  ];
  return page(title, body.join("\n"), `vmm386 mrc ${result.trace}`);
}
