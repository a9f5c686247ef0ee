/**
 * The policy's own lists in a run report: a chart of the pages in each list
 * over the run — MGLRU's generations by age (max_seq, max_seq − 1, ...,
 * the oldest), the two-list LRU's inactive and active lists — and a table
 * of each list's pages per process at the last sample that had any (a run
 * ends with every process gone, its lists empty).
 */
import type { Sample, TimeSeries } from "../sim/recorder.js";
import type { PolicyListView, PolicyView } from "../sim/policy-view.js";
import { frame, renderChart, valueAxis } from "./render-chart.js";

/** A list's name in the chart: a generation by its age (its seq changes as aging goes on), else its own. */
function chartName(view: PolicyView, list: PolicyListView): string {
  if (view.mglru === undefined || list.seq === undefined) return list.name;
  const back = view.mglru.maxSeq - list.seq;
  return back === 0 ? "max_seq (youngest)" : `max_seq − ${back}`;
}

/** Pages in each list over the run, stacked. */
export function listsChart(series: TimeSeries): string {
  const samples = series.samples.filter((s): s is Sample & { lists: PolicyView } => s.lists !== undefined);
  const names: string[] = [];
  for (const s of samples) for (const l of s.lists.lists) if (!names.includes(chartName(s.lists, l))) names.push(chartName(s.lists, l));
  const mglru = samples.some((s) => s.lists.mglru !== undefined);
  return renderChart({
    ...frame(mglru ? "Generations (MGLRU)" : "Inactive and active lists", "pages in each, all processes"),
    xAxis: valueAxis("accesses"),
    yAxis: valueAxis("pages", { nameGap: 44 }),
    series: names.map((name) => ({
      name,
      type: "line",
      stack: "lists",
      symbol: "none",
      areaStyle: { opacity: 0.35 },
      data: samples.map((s) => [s.accesses, s.lists.lists.filter((l) => chartName(s.lists, l) === name).reduce((n, l) => n + l.pages, 0)]),
    })),
  });
}

/** The lists with each process's pages, as table rows: a header, then one row per list. */
export function listsTableRows(view: PolicyView): { header: string[]; rows: string[][] } {
  const pids = Object.keys(view.names).map(Number);
  const timed = view.mglru !== undefined;
  const header = ["list", ...(timed ? ["birth tick", "age (ticks)"] : []), "pages", ...pids.map((pid) => `${view.names[pid]} (${pid})`)];
  const rows = view.lists.map((l) => [
    l.name,
    ...(timed ? [String(l.birth ?? ""), String(l.age ?? "")] : []),
    String(l.pages),
    ...pids.map((pid) => String(l.byProcess[pid] ?? 0)),
  ]);
  return { header, rows };
}
