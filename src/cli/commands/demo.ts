/**
 * `vmm386 demo` (what `npm start` runs): a built-in multi-process scenario
 * on a 3 MiB machine with a temporary swap image — a shell forks an editor
 * and a compiler, COW splits their pages, and together they need more RAM
 * than there is, so pages go out to swap and come back. Ends with the
 * summary table and the path of the HTML report (./vmm386-report.html).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseScenario } from "../../sim/scenario/loader.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, type CommonOptions } from "../options.js";
import { runAndEmit } from "../output.js";
import { DEMO_SCENARIO } from "../../sim/scenario/demo-scenario.js";

export const DEMO_REPORT = "vmm386-report.html";

export function register(program: Command, inv: Invocation): void {
  addCommonOptions(
    program
      .command("demo")
      .description(`Run the built-in multi-process demo (fork, COW, swapping) and write ./${DEMO_REPORT}`),
  ).action((options: CommonOptions) =>
    // The report goes to ./vmm386-report.html unless --report says where; either way it is checked before the run.
    runAndEmit(inv, parseScenario(DEMO_SCENARIO, "<demo>"), options, [], options.report ?? resolve(DEMO_REPORT), options.report === undefined ? undefined : "--report"),
  );
}
