/**
 * The charts of a run report, from the recorder's time series: faults by
 * kind per interval, resident and working set per process, swap usage, and
 * the TLB hit rate per interval. Each returns an SVG string.
 */
import { FAULT_KINDS, type FaultKind, type Sample, type TimeSeries } from "../sim/recorder.js";
import { frame, renderChart, valueAxis } from "./render-chart.js";

export const FAULT_LABELS: Readonly<Record<FaultKind, string>> = {
  demandZero: "demand-zero",
  swapIn: "swap-in",
  cow: "COW",
  stack: "stack",
  heap: "heap",
  segv: "segv",
};

type Point = [number, number];

/** One colour per process, shared by its resident (solid) and working-set (dashed) lines. */
const PALETTE = ["#5470c6", "#ee6666", "#3ba272", "#fc8452", "#9a60b4", "#73c0de", "#fac858", "#ea7ccc"];

/** Faults of each kind during each sampling interval, stacked. */
export function faultsChart(series: TimeSeries): string {
  const s = series.samples;
  const kinds = FAULT_KINDS.filter((k) => s.length > 0 && s[s.length - 1].faults[k] > 0);
  return renderChart({
    ...frame("Faults by kind", "per sampling interval"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("faults", { nameGap: 44 }),
    series: kinds.map((k) => ({
      name: FAULT_LABELS[k],
      type: "bar",
      stack: "faults",
      barCategoryGap: "10%",
      data: deltas(s, (x) => x.faults[k]),
    })),
  });
}

/**
 * Whether the kernel estimated any working set: it does once per 100-tick
 * window, so a run without ticks (a replay without --tick-every) has none.
 */
export function hasWorkingSet(series: TimeSeries): boolean {
  return series.samples.some((x) => x.processes.some((p) => p.workingSet > 0));
}

/** Resident pages (solid) and the kernel's working-set estimate (dashed), if any, of each process. */
export function residentChart(series: TimeSeries): string {
  const pids = [...new Set(series.samples.flatMap((x) => x.processes.map((p) => p.pid)))].sort((a, b) => a - b);
  const lines = pids.flatMap((pid, i) => {
    const label = series.labels[pid] ?? `pid ${pid}`;
    const color = PALETTE[i % PALETTE.length];
    const pick = (f: (p: Sample["processes"][number]) => number): Point[] =>
      series.samples.flatMap((x) => x.processes.filter((p) => p.pid === pid).map((p): Point => [x.accesses, f(p)]));
    const ws = pick((p) => p.workingSet);
    const resident = { name: `${label} resident`, type: "line", symbol: "none", color, data: pick((p) => p.resident) };
    // The kernel estimates working sets once per 100-tick window: a run too short for one has none to show.
    if (ws.every(([, v]) => v === 0)) return [resident];
    return [resident, { name: `${label} WS`, type: "line", symbol: "none", color, lineStyle: { type: "dashed" }, data: ws }];
  });
  return renderChart({
    ...frame(hasWorkingSet(series) ? "Resident pages and working set" : "Resident pages", "per process"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("pages", { nameGap: 44 }),
    series: lines,
  });
}

/** Pages held in swap, and pages written to / read from swap so far. */
export function swapChart(series: TimeSeries): string {
  const s = series.samples;
  return renderChart({
    ...frame("Swap usage"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("pages", { nameGap: 44 }),
    series: [
      { name: "in swap", type: "line", symbol: "none", areaStyle: { opacity: 0.3 }, data: s.map((x): Point => [x.accesses, x.swapPages]) },
      { name: "pswpout (total)", type: "line", symbol: "none", data: s.map((x): Point => [x.accesses, x.pswpout]) },
      { name: "pswpin (total)", type: "line", symbol: "none", data: s.map((x): Point => [x.accesses, x.pswpin]) },
    ],
  });
}

/** TLB hits as a percentage of lookups in each interval (a TLB that is off makes only misses: leave it out). */
export function tlbChart(series: TimeSeries): string {
  const s = series.samples;
  const data: Point[] = [];
  for (let i = 1; i < s.length; i++) {
    const hits = s[i].tlbHits - s[i - 1].tlbHits;
    const lookups = hits + s[i].tlbMisses - s[i - 1].tlbMisses;
    if (lookups > 0) data.push([s[i].accesses, round((100 * hits) / lookups)]);
  }
  return renderChart({
    ...frame("TLB hit rate", data.length === 0 ? "no TLB lookups recorded" : "per sampling interval"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("hit rate %", { min: 0, max: 100, nameGap: 40 }),
    series: [{ name: "hit rate", type: "line", symbol: "none", data }],
  });
}

/** [accesses, value - previous value] for each sample after the first. */
function deltas(s: readonly Sample[], value: (x: Sample) => number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < s.length; i++) out.push([s[i].accesses, value(s[i]) - (i === 0 ? 0 : value(s[i - 1]))]);
  return out;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
