/**
 * What `sweep` and `sweep-merge` make of a SweepResult, in one place so
 * that a merged sweep's outputs are the unsharded one's byte for byte: the
 * table or `--json` on stdout, and the files `--report`, `--csv`,
 * `--export-svg` and `--export-png`, each checked and opened before the
 * work starts (output-file.ts). Chart and PNG libraries load only when an
 * output needs them.
 */
import type { Command } from "commander";
import { PNG_CHART, SVG_CHART, markSvg } from "../report/output-kinds.js";
import { SWEEP_CSV, sweepCsv } from "../report/sweep-csv.js";
import { sweepSummaryTable } from "../report/summary-table.js";
import { openOutput, writeWhole, type OutputFile, type OutputKind } from "../sim/output-file.js";
import type { SweepResult } from "../sim/sweep/sweep.js";
import type { Invocation } from "./io.js";
import { openReport } from "./output.js";

/** The output options of a sweep (the shared --json, --report and --force, and these). */
export interface SweepOutputOptions {
  json?: boolean;
  report?: string;
  force?: boolean;
  csv?: string;
  exportSvg?: string;
  exportPng?: string;
}

/** Adds --csv, --export-svg and --export-png to `cmd`. */
export function addSweepFileOptions(cmd: Command): Command {
  return cmd
    .option("--csv <file.csv>", "write every point as CSV (policy, axis, size, label, references, faults, miss_ratio, major_faults, killed)")
    .option("--export-svg <file.svg>", "write the miss-ratio curve as SVG")
    .option("--export-png <file.png>", "write the miss-ratio curve as PNG");
}

/** The sweep's output files, checked and opened before any point runs. */
export interface SweepOutputs {
  report: OutputFile | null;
  csv: OutputFile | null;
  svg: OutputFile | null;
  png: OutputFile | null;
}

/** Opens every output asked for; `inputs` (files the sweep reads) may be none of them. A refused path gives up those opened before it. */
export function openSweepOutputs(inputs: string[], options: SweepOutputOptions): SweepOutputs {
  const opened: OutputFile[] = [];
  const open = (file: string | undefined, kind: OutputKind, option: string): OutputFile | null => {
    const output = file === undefined ? null : openOutput(file, { kind, force: options.force, inputs, option });
    if (output !== null) opened.push(output);
    return output;
  };
  try {
    const report = openReport(options.report, options, inputs);
    if (report !== null) opened.push(report);
    return { report, csv: open(options.csv, SWEEP_CSV, "--csv"), svg: open(options.exportSvg, SVG_CHART, "--export-svg"), png: open(options.exportPng, PNG_CHART, "--export-png") };
  } catch (e) {
    for (const output of opened) output.abort();
    throw e;
  }
}

/** Every output of `outputs` in the order they were opened, for abortOnFailure. */
export function allOutputs(outputs: SweepOutputs): (OutputFile | null)[] {
  return [outputs.report, outputs.csv, outputs.svg, outputs.png];
}

/** Writes the files, then prints the table (or the `--json` object) and the paths written. */
export async function emitSweep(inv: Invocation, sweep: SweepResult, options: SweepOutputOptions, outputs: SweepOutputs): Promise<void> {
  if (outputs.report !== null) await writeWhole(outputs.report, (await import("../report/html.js")).renderSweepHtml(sweep));
  if (outputs.csv !== null) await writeWhole(outputs.csv, sweepCsv(sweep));
  if (outputs.svg !== null || outputs.png !== null) {
    const svg = (await import("../report/sweep.js")).missRatioChart(sweep, 900, 420);
    if (outputs.svg !== null) await writeWhole(outputs.svg, markSvg(svg));
    if (outputs.png !== null) await writeWhole(outputs.png, (await import("../report/png.js")).svgToPng(svg));
  }
  if (options.json) {
    inv.print(sweepJson(sweep, options));
    return;
  }
  inv.print(`${sweep.title} (miss ratio = faults / references)\n${sweepSummaryTable(sweep)}`);
  for (const path of [options.report, options.csv, options.exportSvg, options.exportPng]) if (path !== undefined) inv.print(`wrote ${path}`);
}

/** The `--json` object: the sweep, and the report and CSV written (null: none). */
export function sweepJson(sweep: SweepResult, options: SweepOutputOptions): string {
  return JSON.stringify({ ...sweep, report: options.report ?? null, csv: options.csv ?? null });
}
