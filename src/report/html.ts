/**
 * Self-contained HTML reports: one file, no scripts, no network. Styles are
 * inline in a <style> block and every chart is an inline SVG drawn by
 * ECharts on the server, so the report opens the same anywhere, offline.
 */
import { FAULT_KINDS } from "../sim/recorder.js";
import type { RunResult } from "../sim/scenario/result.js";
import { FAULT_LABELS, faultsChart, hasPressure, hasWorkingSet, pressureChart, residentChart, swapChart, tlbChart } from "./run-charts.js";
import { renderChart } from "./render-chart.js";
import { HTML_GENERATOR } from "./output-kinds.js";
import type { SweepResult } from "../sim/sweep/sweep.js";
import { missRatioChart, sweepAxisName } from "./sweep.js";
import { listsChart, listsTableRows } from "./policy-lists.js";
import { forkFailuresText, lastLists, omittedProcessesText, pressureText, processRows, rowName, stalledText, throttleSkipsText, tlbOff, tlbRate } from "./format.js";

const STYLE = `
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:24px auto;max-width:1600px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
p.lead{color:#555;margin-top:0}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:flex;flex-wrap:wrap;gap:12px}.grid>div{flex:0 0 auto}
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}.card span{font-size:12px;color:#666}
.bad{color:#b00020}.ok{color:#1b7f3b}code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:12px}
pre{background:#f8f8f8;border:1px solid #eee;padding:8px;overflow-x:auto}
footer{margin-top:32px;color:#888;font-size:12px}`;

/** `text` safe inside HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The full report of one run. */
export function renderRunHtml(run: RunResult): string {
  const st = run.stats;
  const { enabled: _enabled, ...tlbCounters } = st.tlb; // whether there was a TLB is said in words, not as a counter
  const killed = run.processes.filter((p) => p.state === "killed").length;
  const throttle = throttleSkipsText(run);
  const forks = forkFailuresText(run);
  const cards: [string, string | number][] = [
    ["accesses", st.accesses],
    ["page faults", st.faults.total],
    ["swap-ins", st.faults.swapIn],
    ["COW faults", st.faults.cow],
    ["pages swapped out", st.vmstat.pswpout ?? 0],
    ["TLB hit rate", tlbRate(run)],
    ["processes killed", killed],
    ...(forks === null ? [] : ([["forks failed", st.tasks.forkFailed]] as [string, number][])),
  ];
  const body = [
    `<h1>${escapeHtml(run.title)}</h1>`,
    run.description ? `<p class="lead">${escapeHtml(run.description)}</p>` : "",
    `<div class="cards">${cards.map(([k, v]) => `<div class="card"><b>${escapeHtml(fmt(v))}</b><span>${escapeHtml(k)}</span></div>`).join("")}</div>`,
    run.panic ? `<p class="bad"><b>Kernel panic</b> at ${hex(run.panic.address)}: ${escapeHtml(run.panic.reason)}</p>` : "",
    "<h2>Machine</h2>",
    keyValueTable(Object.entries(run.machine).map(([k, v]) => [k, String(v)])),
    "<h2>Processes</h2>",
    processTable(run),
    ...[forks, throttle].map((line) => (line === null ? "" : `<p>${escapeHtml(line)}</p>`)),
    pressureSection(run),
    "<h2>Over time</h2>",
    run.series.samples.length < 2
      ? "<p>Too few samples for charts (the run made fewer accesses than one sampling interval).</p>"
      : `<div class="grid">${charts(run)}</div>`,
    listsSection(run),
    "<h2>Faults by kind</h2>",
    keyValueTable([["total", fmt(st.faults.total)], ...FAULT_KINDS.map((k): [string, string] => [FAULT_LABELS[k], fmt(st.faults[k])])]),
    "<h2>vmstat</h2>",
    "<p>Counters /proc/vmstat has, under its names.</p>",
    keyValueTable(Object.entries(st.vmstat).map(([k, v]) => [k, fmt(v)])),
    "<h2>vmm386 counters</h2>",
    "<p>Counters with no /proc/vmstat equivalent.</p>",
    keyValueTable(Object.entries(st.vmm386).map(([k, v]) => [k, fmt(v)])),
    "<h2>TLB</h2>",
    tlbOff(run) ? "<p>The TLB was off: every translation walked the page tables (each one counts as a miss).</p>" : "",
    keyValueTable(Object.entries(tlbCounters).map(([k, v]) => [k, fmt(v)])),
    strictSection(run),
    run.notes.length > 0 ? `<h2>Notes</h2><ul>${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "",
  ];
  return page(run.title, body.join("\n"), `Scenario: ${run.source}`);
}

/** The report of a sweep: the miss-ratio curve and the table behind it. */
export function renderSweepHtml(sweep: SweepResult): string {
  const header = ["policy", sweepAxisName(sweep.axis), "references", "faults", "miss ratio", "major faults", "killed"];
  const rows = [...sweep.points]
    .sort((a, b) => a.policy.localeCompare(b.policy) || a.size - b.size)
    .map((p) => [p.policy, p.label, fmt(p.references), fmt(p.faults), p.missRatio.toFixed(4), fmt(p.majorFaults), fmt(p.killed)]);
  const body = [
    `<h1>${escapeHtml(sweep.title)}</h1>`,
    `<p class="lead">${escapeHtml(sweep.source)}</p>`,
    `<div>${missRatioChart(sweep, 1000, 440)}</div>`,
    "<h2>Fixed settings</h2>",
    keyValueTable(Object.entries(sweep.machine).map(([k, v]) => [k, String(v)])),
    "<h2>Points</h2>",
    table(header, rows, [2, 3, 4, 5, 6]),
  ];
  return page(sweep.title, body.join("\n"), `Sweep of ${sweep.source}`);
}

/** The time-series charts, each with a line saying how to read it; no TLB chart when the TLB was off. */
function charts(run: RunResult): string {
  const items: [string, string][] = [
    [renderChart(faultsChart(run.series)), "Page faults in each sampling interval, by how the kernel resolved them. Swap-ins are major faults; segv is a fault it could not resolve."],
    [renderChart(residentChart(run.series)), residentCaption(run)],
    [renderChart(swapChart(run.series)), "Swap slots in use, and pages written to (pswpout) and read from (pswpin) swap so far."],
  ];
  if (!tlbOff(run)) items.push([renderChart(tlbChart(run.series)), "Share of translations the TLB answered without a page walk, per interval."]);
  if (hasPressure(run.series)) {
    items.push([
      renderChart(pressureChart(run.series)),
      "Memory pressure as /proc/pressure/memory reports it: the share of time some process (some) or every process (full) waited for swap, by the swap-latency model, averaged over 10 and 60 ticks.",
    ]);
  }
  return items.map(([svg, caption]) => `<div><figure style="margin:0">${svg}<figcaption style="font-size:12px;color:#666;max-width:760px">${escapeHtml(caption)}</figcaption></figure></div>`).join("");
}

function residentCaption(run: RunResult): string {
  if (!hasWorkingSet(run.series)) return "Pages each process has in RAM.";
  return "Pages each process has in RAM (solid) and the kernel's working-set estimate, sampled every 100 ticks (dashed).";
}

/** A whole report page: `body` under `title`, with a footer line. */
export function page(title: string, body: string, footer: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">${HTML_GENERATOR}<title>${escapeHtml(title)} — vmm386</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
${body}
<footer>${escapeHtml(footer)} · generated by vmm386 on ${escapeHtml(new Date().toISOString())}</footer>
</body></html>
`;
}

/** The processes, runs of alike ones as one row, at most PROCESS_ROWS rows. */
function processTable(run: RunResult): string {
  const { rows, omitted } = processRows(run);
  const cells = rows.map((row) => {
    const p = row.first;
    return [
      row.pids,
      rowName(row),
      p.parent === 0 ? "—" : String(p.parent),
      p.summary,
      p.faultReport ? `${hex(p.faultReport.address)} err=${p.faultReport.errorCode}` : "",
      String(p.throttledTicks),
      stalledText(p.stalledTicks),
    ];
  });
  const more = omittedProcessesText(omitted);
  const tasks = run.stats.tasks;
  const head = `<p>${escapeHtml(`${fmt(tasks.created)} processes created, at most ${fmt(tasks.peak)} at once.`)}</p>`;
  return head + table(["pid", "name", "parent", "status", "fault", "throttled ticks", "stalled ticks"], cells, [0, 2, 5, 6]) + (more === null ? "" : `<p>${escapeHtml(more)}</p>`);
}

/** The policy's own lists (linux, mglru): their pages over time and per process at the last sample that had any. */
function listsSection(run: RunResult): string {
  const last = lastLists(run.series);
  if (last === null) return "";
  const { header, rows } = listsTableRows(last.view);
  const mglru = last.view.mglru;
  const lead =
    mglru === undefined
      ? `The ${last.view.policy} policy's inactive and active lists`
      : `MGLRU's generations, as /sys/kernel/debug/lru_gen shows them (min_seq ${mglru.minSeq}, max_seq ${mglru.maxSeq}, tier index ${mglru.tierIndex}, ${mglru.agings} agings${mglru.ttlRefusals > 0 ? `, ${mglru.ttlRefusals} evictions refused by min_ttl` : ""})`;
  const numeric = header.map((_, i) => i).filter((i) => i > 0);
  const chart = run.series.samples.length < 2 ? "" : `<div>${listsChart(run.series)}</div>`;
  return [
    `<h2>${mglru === undefined ? "LRU lists" : "Generations"}</h2>`,
    `<p>${escapeHtml(lead)}, pages of each process at ${fmt(last.accesses)} accesses (the last sample with pages in them; a page shared by fork counts for each sharer):</p>`,
    table(header, rows, numeric),
    chart,
  ].join("\n");
}

/** /proc/pressure/memory at the end, when some process waited for swap. */
function pressureSection(run: RunResult): string {
  const text = pressureText(run);
  if (text === null) return "";
  const [caption, ...lines] = text.split("\n");
  return `<p>${escapeHtml(caption)}</p><pre>${lines.map(escapeHtml).join("\n")}</pre>`;
}

function strictSection(run: RunResult): string {
  if (run.strictTlb === null) return "";
  const s = run.strictTlb;
  if (s.count === 0) return `<h2>Strict TLB</h2><p class="ok">No access was served by a stale TLB entry.</p>`;
  return `<h2>Strict TLB</h2><p class="bad">${s.count} access(es) served by a stale TLB entry (a missing invalidation):</p><pre>${s.messages.map(escapeHtml).join("\n")}</pre>`;
}

export function keyValueTable(rows: [string, string][]): string {
  return table(["", ""], rows, [1], false);
}

export function table(header: string[], rows: string[][], numeric: number[], showHeader = true): string {
  const head = showHeader ? `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>` : "";
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("");
  return `<table>${head}${body}</table>`;
}

function fmt(v: string | number): string {
  return typeof v === "number" ? v.toLocaleString("en-US") : v;
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
