/**
 * The charts of a run report, from the recorder's time series: faults by
 * kind per interval, resident and working set per process, swap usage, and
 * the TLB hit rate per interval. Each is an ECharts option (the playground
 * draws them live); the report renders them to SVG (html.ts, render-chart.ts).
 */
import { FAULT_KINDS, type FaultKind, type Sample, type TimeSeries } from "../sim/recorder.js";
import { frame, valueAxis, type ChartOption } from "./chart-frame.js";

export const FAULT_LABELS: Readonly<Record<FaultKind, string>> = {
  demandZero: "demand-zero",
  swapIn: "swap-in",
  cow: "COW",
  stack: "stack",
  heap: "heap",
  segv: "segv",
};

type Point = [number, number];
/** A point of a line with gaps: null where the line has no value (ECharts breaks the line there). */
type GapPoint = [number, number | null];

/** One colour per process, shared by its resident (solid) and working-set (dashed) lines. */
const PALETTE = ["#5470c6", "#ee6666", "#3ba272", "#fc8452", "#9a60b4", "#73c0de", "#fac858", "#ea7ccc"];

/** Processes the resident chart draws a line for, one per colour; the others share one line. */
const PROCESS_LINES = PALETTE.length;

/** Faults of each kind during each sampling interval, stacked. */
export function faultsChart(series: TimeSeries): ChartOption {
  const s = series.samples;
  const kinds = FAULT_KINDS.filter((k) => s.length > 0 && s[s.length - 1].faults[k] > 0);
  return {
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
  };
}

/**
 * Whether the kernel estimated any working set: it does once per 100-tick
 * window, so a run without ticks (a replay without --tick-every) has none.
 */
export function hasWorkingSet(series: TimeSeries): boolean {
  return series.samples.some((x) => x.processes.some((p) => p.workingSet > 0));
}

/**
 * Resident pages (solid) and the kernel's working-set estimate (dashed), if
 * any, of the processes largest at their peak (PROCESS_LINES of them), and
 * the resident pages of all the others as one grey line.
 */
export function residentChart(series: TimeSeries): ChartOption {
  const pids = chartedPids(series);
  const names = pids.map((pid) => series.labels[pid] ?? `pid ${pid}`);
  // Processes of one name (forked copies) are told apart by pid, or the legend would merge their lines.
  const labels = pids.map((pid, i) => (names.filter((n) => n === names[i]).length > 1 ? `${names[i]} (pid ${pid})` : names[i]));
  const lines: object[] = pids.flatMap((pid, i) => processLines(series, pid, labels[i], PALETTE[i % PALETTE.length]));
  const others = othersLine(series, new Set(pids));
  if (others !== null) lines.push(others);
  return {
    ...frame(hasWorkingSet(series) ? "Resident pages and working set" : "Resident pages", "per process"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("pages", { nameGap: 44 }),
    series: lines,
  };
}

/** The pids with the most resident pages at their peak, at most PROCESS_LINES, in pid order. */
function chartedPids(series: TimeSeries): number[] {
  const peak = new Map<number, number>();
  for (const x of series.samples) for (const p of x.processes) peak.set(p.pid, Math.max(peak.get(p.pid) ?? 0, p.resident));
  const largest = [...peak].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, PROCESS_LINES);
  return largest.map(([pid]) => pid).sort((a, b) => a - b);
}

/** `pid`'s resident line, and its working-set line if the kernel estimated any; broken where a sample does not name it. */
function processLines(series: TimeSeries, pid: number, label: string, color: string): object[] {
  const pick = (f: (p: Sample["processes"][number]) => number): GapPoint[] => {
    const points = series.samples.map((x): GapPoint => {
      const p = x.processes.find((q) => q.pid === pid);
      return [x.accesses, p === undefined ? null : f(p)];
    });
    // Before it was first named and after it was last, the process is not there at all: no point, not a gap.
    const first = points.findIndex(([, v]) => v !== null);
    const last = points.length - 1 - [...points].reverse().findIndex(([, v]) => v !== null);
    return points.slice(first, last + 1);
  };
  const ws = pick((p) => p.workingSet);
  const resident = { name: `${label} resident`, type: "line", symbol: "none", color, data: pick((p) => p.resident) };
  // The kernel estimates working sets once per 100-tick window: a run too short for one has none to show.
  if (ws.every(([, v]) => v === null || v === 0)) return [resident];
  return [resident, { name: `${label} WS`, type: "line", symbol: "none", color, lineStyle: { type: "dashed" }, data: ws }];
}

/** The resident pages of every live process without a line of its own, summed; null when there never was one. */
function othersLine(series: TimeSeries, charted: ReadonlySet<number>): object | null {
  let any = false;
  const data = series.samples.map((x): Point => {
    let pages = x.others.resident;
    if (x.others.count > 0) any = true;
    for (const p of x.processes) {
      if (charted.has(p.pid)) continue;
      pages += p.resident;
      any = true;
    }
    return [x.accesses, pages];
  });
  return any ? { name: "other processes resident", type: "line", symbol: "none", color: "#999999", data } : null;
}

/** Pages held in swap, and pages written to / read from swap so far. */
export function swapChart(series: TimeSeries): ChartOption {
  const s = series.samples;
  return {
    ...frame("Swap usage"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("pages", { nameGap: 44 }),
    series: [
      { name: "in swap", type: "line", symbol: "none", areaStyle: { opacity: 0.3 }, data: s.map((x): Point => [x.accesses, x.swapPages]) },
      { name: "pswpout (total)", type: "line", symbol: "none", data: s.map((x): Point => [x.accesses, x.pswpout]) },
      { name: "pswpin (total)", type: "line", symbol: "none", data: s.map((x): Point => [x.accesses, x.pswpin]) },
    ],
  };
}

/** TLB hits as a percentage of lookups in each interval (a TLB that is off makes only misses: leave it out). */
export function tlbChart(series: TimeSeries): ChartOption {
  const s = series.samples;
  const data: Point[] = [];
  for (let i = 1; i < s.length; i++) {
    const hits = s[i].tlbHits - s[i - 1].tlbHits;
    const lookups = hits + s[i].tlbMisses - s[i - 1].tlbMisses;
    if (lookups > 0) data.push([s[i].accesses, round((100 * hits) / lookups)]);
  }
  return {
    ...frame("TLB hit rate", data.length === 0 ? "no TLB lookups recorded" : "per sampling interval"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("hit rate %", { min: 0, max: 100, nameGap: 40 }),
    series: [{ name: "hit rate", type: "line", symbol: "none", data }],
  };
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

/** Whether any sample carries memory pressure above zero (a run without ticks has none to chart). */
export function hasPressure(series: TimeSeries): boolean {
  return series.samples.some((x) => x.psi !== undefined && (x.psi.some.avg10 > 0 || x.psi.some.avg60 > 0));
}

/** some and full memory pressure, avg10 (solid), avg60 (dashed) and avg300 (dotted), as /proc/pressure/memory reads at each sample. */
export function pressureChart(series: TimeSeries): ChartOption {
  const s = series.samples.filter((x) => x.psi !== undefined);
  const line = (name: string, pick: (p: NonNullable<Sample["psi"]>) => number, style: "solid" | "dashed" | "dotted", color: string) => ({
    name,
    type: "line",
    symbol: "none",
    color,
    lineStyle: { type: style },
    data: s.map((x): Point => [x.accesses, pick(x.psi as NonNullable<Sample["psi"]>)]),
  });
  return {
    ...frame("Memory pressure (PSI)", "percent of time stalled, a tick as a second"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("%", { min: 0, max: 100, nameGap: 40 }),
    series: [
      line("some avg10", (p) => p.some.avg10, "solid", PALETTE[1]),
      line("some avg60", (p) => p.some.avg60, "dashed", PALETTE[1]),
      line("some avg300", (p) => p.some.avg300, "dotted", PALETTE[1]),
      line("full avg10", (p) => p.full.avg10, "solid", PALETTE[0]),
      line("full avg60", (p) => p.full.avg60, "dashed", PALETTE[0]),
      line("full avg300", (p) => p.full.avg300, "dotted", PALETTE[0]),
    ],
  };
}
