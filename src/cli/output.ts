/**
 * What the simulation commands write: a scenario run's `--json` object or
 * its text, and report files. A report is checked and opened before the
 * work starts (output-file.ts: a bad path costs nothing, a good one cannot
 * fail late) and renamed into place once written; the report stack (charts,
 * PNG) loads only when a report is asked for.
 */
import { runResultJson } from "../report/json.js";
import { HTML_REPORT } from "../report/output-kinds.js";
import { runText } from "../report/summary-table.js";
import { abortOnFailure, openOutput, writeWhole, type OutputFile } from "../sim/output-file.js";
import type { RunResult } from "../sim/scenario/result.js";
import { executeScenario } from "../sim/scenario/scenario-run.js";
import type { Scenario } from "../sim/scenario/types.js";
import { ANNOUNCE_ACCESSES, describeWork } from "../sim/scenario/work-estimate.js";
import type { Invocation } from "./io.js";
import { settingsFromOptions, type CommonOptions } from "./options.js";

/**
 * Opens the HTML report at `path` before the work starts, or null when none
 * is asked for. `inputs`: files the run reads, which the report may not
 * replace. `option`: undefined for a default path.
 */
export function openReport(path: string | undefined, options: CommonOptions, inputs: string[], option: string | undefined = "--report"): OutputFile | null {
  if (path === undefined) return null;
  const swapImage = options.swapImage === undefined ? [] : [options.swapImage];
  return openOutput(path, { kind: HTML_REPORT, force: options.force, inputs: [...inputs, ...swapImage], option });
}

/** Writes the run's HTML report into `report` (already open). */
export async function writeRunReport(report: OutputFile, run: RunResult): Promise<void> {
  const { renderRunHtml } = await import("../report/html.js");
  await writeWhole(report, renderRunHtml(run));
}

/**
 * Prints a scenario run (table or `--json`), writing its HTML report first
 * when one was opened; a kernel panic fails the run whatever the format.
 */
export async function emitRun(inv: Invocation, run: RunResult, json: boolean, report: OutputFile | null): Promise<void> {
  if (report !== null) await writeRunReport(report, run);
  if (run.panic !== null) inv.exitCode = 1;
  const path = report?.path;
  inv.print(json ? JSON.stringify(runResultJson(run, path === undefined ? {} : { report: path })) : runText(run, path));
}

/**
 * Runs `scenario` with the command line's machine options, a progress bar on
 * a terminal, and prints it (`run`, `demo`). `reportPath`, when given, is
 * opened before the run (`reportOption` names where it came from).
 */
export async function runAndEmit(inv: Invocation, scenario: Scenario, options: CommonOptions, inputs: string[], reportPath = options.report, reportOption?: string): Promise<void> {
  const report = openReport(reportPath, options, inputs, reportOption);
  // The second before the bar counts from here: under OPT, the runs that record the future come first.
  const progress = inv.startProgress(options.json === true);
  const run = await abortOnFailure([report], () =>
    executeScenario(scenario, settingsFromOptions(options), {
      force: options.force === true,
      onWork: (work) => {
        if (work.accesses >= ANNOUNCE_ACCESSES) progress.announce(`${scenario.file}: ${describeWork(work)}`);
      },
      onProgress: (done, total) => progress.update("accesses", done, total, "accesses"),
    }),
  ).finally(() => progress.stop());
  await emitRun(inv, run, options.json === true, report);
}
