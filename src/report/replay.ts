/**
 * What `replay` prints: the summary of a replay through the VMM (the
 * trace, how its layout was mapped, the run's table, the working set, the
 * times) or its `--json` object. Plain data in, text or JSON-ready objects
 * out (a policy-only replay's: policy-only.ts).
 */
import { FAULT_WINDOW_TICKS } from "../kernel/working-set.js";
import { formatMapping, pageAddress, type LayoutMapping } from "../sim/trace/layout-mapper.js";
import type { ReplayRun, WorkingSetSeries } from "../sim/trace/replay-run.js";
import { runResultJson } from "./json.js";
import { runSummaryTable } from "./summary-table.js";

/** The `--json` object of a replay through the VMM: a run's keys, then the trace's, its mapping and the working set. */
export function replayJson(r: ReplayRun, report: string | undefined): Record<string, unknown> {
  const t = r.replay;
  const ws = r.workingSet;
  return runResultJson(r.run, {
    trace: t.file,
    format: t.format,
    accesses: t.stats.accesses,
    references: t.stats.references,
    traceAccesses: t.accesses,
    traceReferences: t.references,
    straddles: t.straddles,
    accessesByKind: t.byKind,
    distinctPages: t.distinctPages,
    mapping: mappingJson(t.mapping),
    seconds: t.seconds,
    accessesPerSecond: Math.round(t.stats.accesses / Math.max(t.seconds.replay, 1e-9)),
    ...(report === undefined ? {} : { report }),
    ...(ws === null ? {} : { tickEvery: ws.tickEvery, workingSet: ws.points }),
  });
}

/** The summary of a replay through the VMM, line by line. */
export function replayText(r: ReplayRun, report: string | undefined): string {
  const t = r.replay;
  const lines = [
    `${r.run.title}: ${t.accesses} accesses (I ${t.byKind.I}, L ${t.byKind.L}, S ${t.byKind.S}, M ${t.byKind.M}), ` +
      `${t.references} page references, ${t.distinctPages} distinct pages`,
    formatMapping(t.mapping),
    runSummaryTable(r.run),
  ];
  if (r.workingSet !== null) lines.push(workingSetLine(r.workingSet, t.stats.ticks));
  for (const note of r.run.notes) lines.push(`note: ${note}`);
  lines.push(
    `time: first pass ${t.seconds.survey.toFixed(2)} s, replay ${t.seconds.replay.toFixed(2)} s ` +
      `(${(t.stats.accesses / Math.max(t.seconds.replay, 1e-9) / 1e6).toFixed(2)} M accesses/s)`,
  );
  if (report !== undefined) lines.push(`report: ${report}`);
  return lines.join("\n");
}

/** The summary's working-set line: the last and peak estimates, or why there is none. */
function workingSetLine(ws: WorkingSetSeries, ticks: number): string {
  const window = `the kernel samples once per ${FAULT_WINDOW_TICKS} ticks = ${FAULT_WINDOW_TICKS * ws.tickEvery} accesses`;
  if (ws.points.length === 0) return `working set: none yet after ${ticks} ticks (${window})`;
  const last = ws.points[ws.points.length - 1];
  return `working set: ${last.pages} pages at the end, at most ${ws.peak} (${ws.samples} samples; ${window})`;
}

function mappingJson(m: LayoutMapping): Record<string, unknown>[] {
  return m.regions.map((r) => ({
    kind: r.kind,
    trace: [pageAddress(r.traceStart), pageAddress(r.traceEnd)],
    eyn: [pageAddress(r.eynStart), pageAddress(r.eynStart + r.traceEnd - r.traceStart)],
    pages: r.pages,
  }));
}
