import { describe, expect, it } from "vitest";
import { renderRunHtml, renderSweepHtml, escapeHtml } from "../../src/report/html.js";
import { faultsChart, pressureChart, residentChart, swapChart, tlbChart } from "../../src/report/run-charts.js";
import { renderChart } from "../../src/report/render-chart.js";
import { missRatioChart } from "../../src/report/sweep.js";
import { svgToPng } from "../../src/report/png.js";
import { HTML_REPORT, PNG_CHART, SVG_CHART, markSvg } from "../../src/report/output-kinds.js";
import { runSummaryTable, sweepSummaryTable } from "../../src/report/summary-table.js";
import type { RunResult } from "../../src/sim/scenario/result.js";
import { loadScenarioFile } from "../../src/sim/scenario/loader.js";
import type { SystemConfig } from "../../src/sim/system.js";
import { runOn } from "../helpers/run-scenario.js";
import { systemConfig } from "../../src/sim/machine-settings.js";
import { syntheticRun, syntheticSeries, syntheticSweep } from "./fixtures.js";

let syntheticReport: string | undefined;

/** The report of the synthetic run, rendered once for the tests that only read it (a render, charts and all, is ~0.2 s). */
function syntheticHtml(): string {
  syntheticReport ??= renderRunHtml(syntheticRun());
  return syntheticReport;
}

/**
 * The synthetic run on a machine with `--tlb off`: every translation a miss,
 * as the MMU counts them then. Its machine description says nothing of the
 * TLB, as a run's does when the runner was given none: the stats alone tell.
 */
function tlbOffRun(): RunResult {
  const run = syntheticRun();
  const { tlb } = run.stats;
  const samples = run.series.samples.map((s) => ({ ...s, tlbHits: 0, tlbMisses: s.tlbHits + s.tlbMisses }));
  return {
    ...run,
    machine: {},
    stats: { ...run.stats, tlb: { ...tlb, enabled: false, hits: 0, misses: tlb.translations, walks: tlb.translations, flushes: 0 } },
    series: { ...run.series, samples },
  };
}

/** examples/demand-paging.yaml run with the TLB as `tlb` says and no machine description given to the runner. */
function demandPaging(tlb: SystemConfig["tlb"]): RunResult {
  const scenario = loadScenarioFile("examples/demand-paging.yaml");
  return runOn(scenario, { ...systemConfig(scenario.machine), tlb, checkInvariants: false });
}

describe("run report", () => {
  it("is one self-contained HTML file: no scripts, no external resources", () => {
    const html = syntheticHtml();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/i);
    expect(html.match(/<svg/g)?.length).toBe(4);
  });

  it("escapes every user-supplied string", () => {
    const html = syntheticHtml();
    expect(html).toContain("Fork &amp; &lt;COW&gt;");
    expect(html).not.toContain("<COW>");
    expect(html).not.toContain("child<x>");
    expect(escapeHtml(`<a href="x">'&`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
  });

  it("shows how each process ended, the strict-TLB findings and the notes", () => {
    const html = syntheticHtml();
    expect(html).toContain("killed at 0x00000010 (user read, not present): no mapping");
    expect(html).toContain("stale entry for 0x40000000");
    expect(html).toContain("brk refused at step 3");
  });

  it("lists the /proc/vmstat counters apart from vmm386's own", () => {
    const html = syntheticHtml();
    const vmstat = html.slice(html.indexOf("<h2>vmstat</h2>"), html.indexOf("<h2>vmm386 counters</h2>"));
    const own = html.slice(html.indexOf("<h2>vmm386 counters</h2>"), html.indexOf("<h2>TLB</h2>"));
    expect(vmstat).toContain("<td>pswpout</td>");
    expect(vmstat).not.toContain("cow_copy");
    expect(own).toContain("<td>cow_copy</td>");
    expect(own).toContain("no /proc/vmstat equivalent");
    expect(own).not.toContain("pswpout");
  });

  it("charts name their series: fault kinds, processes, swap, TLB", () => {
    const series = syntheticSeries();
    expect(renderChart(faultsChart(series))).toContain("COW");
    expect(renderChart(faultsChart(series))).not.toContain("segv");
    expect(renderChart(residentChart(series))).toContain("parent resident");
    expect(renderChart(swapChart(series))).toContain("pswpout");
    expect(renderChart(tlbChart(series))).toContain("TLB hit rate");
  });

  it("the pressure chart draws some and full at each of /proc/pressure/memory's averages: avg10, avg60 and avg300", () => {
    const samples = syntheticSeries().samples.map((x, i) => ({
      ...x,
      psi: { some: { avg10: 40, avg60: 20, avg300: i, total: 0 }, full: { avg10: 4, avg60: 2, avg300: i / 2, total: 0 } },
    }));
    const chart = renderChart(pressureChart({ ...syntheticSeries(), samples }));
    for (const kind of ["some", "full"]) for (const avg of ["avg10", "avg60", "avg300"]) expect(chart).toContain(`${kind} ${avg}`);
  });

  it("without working-set estimates (no ticks) the resident chart and its caption promise no working-set line", () => {
    const withWs = syntheticHtml();
    expect(withWs).toContain("Resident pages and working set");
    expect(withWs).toContain("sampled every 100 ticks (dashed)");
    const run = syntheticRun();
    const samples = run.series.samples.map((s) => ({ ...s, processes: s.processes.map((p) => ({ ...p, workingSet: 0 })) }));
    const html = renderRunHtml({ ...run, series: { ...run.series, samples } });
    expect(html).not.toContain("working set");
    expect(html).not.toContain("(dashed)");
    expect(html).toContain("Resident pages");
    expect(html).toContain("Pages each process has in RAM.");
  });

  it("the TLB chart says so when there were no lookups", () => {
    const series = syntheticSeries();
    const none = { ...series, samples: series.samples.map((s) => ({ ...s, tlbHits: 0, tlbMisses: 0 })) };
    expect(renderChart(tlbChart(none))).toContain("no TLB lookups recorded");
  });

  it("with the TLB off: 'off' for the hit rate, no TLB chart (not a flat 0 % line), a line saying why", () => {
    const html = renderRunHtml(tlbOffRun());
    expect(html).toContain("<b>off</b><span>TLB hit rate</span>");
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html).not.toContain("Share of translations the TLB answered");
    expect(html).toContain("The TLB was off");
    const on = syntheticHtml();
    expect(on).toContain("<b>90.0 %</b><span>TLB hit rate</span>");
    expect(on).not.toContain("The TLB was off");
  });

  it("tells a run without a TLB from the machine itself, not from the machine's description", () => {
    const off = demandPaging("off");
    expect(off.machine).toEqual({});
    expect(off.stats.tlb.enabled).toBe(false);
    const html = renderRunHtml(off);
    expect(html).toContain("<b>off</b><span>TLB hit rate</span>");
    expect(html).not.toContain("Share of translations the TLB answered");
    expect(renderRunHtml(demandPaging(undefined))).toMatch(/<b>\d+\.\d %<\/b><span>TLB hit rate<\/span>/);
  });

  it("lists the TLB counters, not whether there was one, in the TLB table", () => {
    const html = syntheticHtml();
    const table = html.slice(html.indexOf("<h2>TLB</h2>"));
    expect(table).toContain("<td>globalKept</td>");
    expect(table).not.toContain("enabled");
  });
});

describe("sweep report", () => {
  it("draws one miss-ratio line per policy as SVG, convertible to PNG", () => {
    const svg = missRatioChart(syntheticSweep());
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("clock");
    expect(svg).toContain("lru");
    const png = svgToPng(svg, 400);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it("each output carries vmm386's mark, so a later run may replace it and nothing else", () => {
    const svg = missRatioChart(syntheticSweep());
    const head = (text: string | Buffer): Buffer => Buffer.from(text).subarray(0, 64 * 1024);
    expect(SVG_CHART.recognise(head(markSvg(svg)), false)).toBe(true);
    expect(SVG_CHART.recognise(head(svg), false)).toBe(false);
    expect(PNG_CHART.recognise(head(svgToPng(svg, 200)), false)).toBe(true);
    expect(HTML_REPORT.recognise(head(renderSweepHtml(syntheticSweep())), false)).toBe(true);
    expect(HTML_REPORT.recognise(head("<!DOCTYPE html><title>My page</title>"), true)).toBe(false);
  });

  it("the HTML sweep report lists every point", () => {
    const html = renderSweepHtml(syntheticSweep());
    expect(html.match(/<tr>/g)?.length).toBe(1 + 8 + 1);
    expect(html).toContain("Miss-ratio curve");
  });
});

describe("terminal summary", () => {
  it("is a compact table of counters and processes", () => {
    const text = runSummaryTable(syntheticRun());
    expect(text).toContain("accesses");
    expect(text).toContain("19,000");
    expect(text).toContain("90.0 %");
    expect(text).toContain("exited(0)");
    expect(text).toContain("strict TLB: 1");
  });

  it("says 'off' for the TLB hit rate when the TLB was off, '-' when it was on but made no lookups", () => {
    const hitColumn = (run: RunResult): string => {
      const counters = runSummaryTable(run).split("\n")[3];
      return counters.split("│").at(-2)?.trim() ?? "";
    };
    expect(hitColumn(syntheticRun())).toBe("90.0 %");
    expect(hitColumn(tlbOffRun())).toBe("off");
    const idle = syntheticRun();
    expect(hitColumn({ ...idle, stats: { ...idle.stats, tlb: { ...idle.stats.tlb, translations: 0, hits: 0, misses: 0 } } })).toBe("-");
  });

  it("a sweep table has a row per size and a column per policy", () => {
    const text = sweepSummaryTable(syntheticSweep());
    expect(text).toContain("64 frames");
    expect(text).toContain("0.1300");
  });
});

describe("many processes in a report", () => {
  /** The synthetic run with `n` children that all exited alike after the killed one, and `failed` forks at the pid limit. */
  function crowdedRun(n: number, failed = 0): RunResult {
    const run = syntheticRun();
    const children = Array.from({ length: n }, (_, i) => ({ ...run.processes[0], pid: 3 + i, name: "worker", parent: 1 }));
    const tasks = { ...run.stats.tasks, created: 2 + n, peak: 40, pidMax: 1000, forkFailed: failed, forkFailedAtPidLimit: failed };
    return { ...run, processes: [...run.processes, ...children], stats: { ...run.stats, tasks } };
  }

  it("a run of alike processes is one row, and no table lists more than 100 rows", () => {
    const text = runSummaryTable(crowdedRun(10_000));
    expect(text).toMatch(/│ 3–10002 +│ worker ×10,000 +│ 1 +│ exited\(0\) +│/);
    const html = renderRunHtml(crowdedRun(10_000));
    expect(html).toContain("<td>worker ×10,000</td>");
    expect(html).toContain("10,002 processes created, at most 40 at once.");
    const run = syntheticRun();
    const unlike = Array.from({ length: 250 }, (_, i) => ({ ...run.processes[0], pid: 3 + i, name: `w${i}` }));
    const many = { ...run, processes: [...run.processes, ...unlike] };
    expect(runSummaryTable(many)).toContain("152 more processes not listed (--json lists every one)");
    expect(renderRunHtml(many).match(/<td>w\d+<\/td>/g)).toHaveLength(98);
  });

  it("the summary and the report count the forks that failed, and say why", () => {
    const line = "fork failed 3 times: 3 at the pid limit (pidMax 1,000: at most 999 processes at once)";
    expect(runSummaryTable(crowdedRun(5, 3))).toContain(line);
    const html = renderRunHtml(crowdedRun(5, 3));
    expect(html).toContain(line);
    expect(html).toContain("<b>3</b><span>forks failed</span>");
    expect(runSummaryTable(crowdedRun(5))).not.toContain("fork failed");
    expect(renderRunHtml(crowdedRun(5))).not.toContain("forks failed");
  });

  it("the resident chart draws the 8 processes largest at their peak and one line for all the others", () => {
    const series = syntheticSeries(4);
    const samples = series.samples.map((s, i) => ({
      ...s,
      processes: Array.from({ length: 8 }, (_, k) => ({ pid: 10 + k + (i % 2) * 8, resident: 100 + k + i, workingSet: 0, swapped: 0 })),
      others: { count: 30, resident: 7, workingSet: 0, swapped: 0 },
    }));
    const labels = Object.fromEntries(Array.from({ length: 16 }, (_, k) => [10 + k, `proc${10 + k}`]));
    const svg = renderChart(residentChart({ samples, labels }));
    const named = [...new Set(svg.match(/proc\d+ resident/g))];
    expect(named).toHaveLength(8);
    expect(named).toContain("proc25 resident"); // the largest, at its peak in the last sample
    expect(svg).toContain("other processes resident");
  });
});
