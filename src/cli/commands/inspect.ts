/**
 * `vmm386 inspect SCENARIO [--step N] [--process NAME] [--show ...]`: the
 * state of the VMM partway through a scenario (after N turns) or at its end,
 * read straight from simulated memory:
 *   maps     per process, runs of mapped pages like /proc/PID/maps;
 *   pagemap  per page, the PTE decoded like /proc/PID/pagemap;
 *   frames   what each physical frame holds (free, reserved, kernel, page
 *            tables, each process's pages, shared and COW pages, swap cache);
 *   swap     which pages live in which swap slots;
 *   boot     the multiboot information as the kernel reads it (flags, memory
 *            sizes and map, modules, command line, framebuffer);
 *   lists    the policy's own lists with each process's pages: linux's
 *            inactive and active lists, mglru's generations (lru_gen);
 *   pressure /proc/pressure/memory, and each process's stalled ticks.
 */
import type { Command } from "commander";
import { InputError } from "../../machine/input-error.js";
import { formatBootInfo } from "../../report/boot-info.js";
import { formatFrameMap } from "../../report/frame-map.js";
import { formatPressureView, formatProcess, formatSwapMap, type ProcessView } from "../../report/inspect-views.js";
import { INSPECT_VIEWS, allProcesses, inspectState, inspectWhere, type InspectView } from "../../report/inspect-state.js";
import { describeMachine } from "../../sim/machine-settings.js";
import { loadScenarioFile } from "../../sim/scenario/loader.js";
import { stopScenarioAt } from "../../sim/scenario/scenario-run.js";
import type { Invocation } from "../io.js";
import { addMachineOptions, integer, settingsFromOptions, type CommonOptions } from "../options.js";
import { formatPolicyView } from "../../sim/policy-view.js";

const VIEWS = INSPECT_VIEWS;
type View = InspectView;

interface InspectOptions extends CommonOptions {
  step?: string;
  process?: string;
  show: string;
}

export function register(program: Command, inv: Invocation): void {
  addMachineOptions(
    program
      .command("inspect")
      .description("Show page tables (maps, pagemap), the frame map, the swap map and the boot information of a scenario at a step or at its end")
      .argument("<scenario>", "scenario file")
      .option("--step <n|name:k>", "stop after N turns (all processes together), or once process NAME has done K steps; default: the end")
      .option("--process <name|pid>", "only this process (maps, pagemap)")
      .option("--show <views>", `comma-separated: ${VIEWS.join(", ")}`, "maps,frames,swap")
      .option("--json", "print one JSON object")
      .option("--force", "run a scenario past the work limit (see vmm386 run --help)"),
  ).action((file: string, options: InspectOptions) => inspect(inv, file, options));
}

async function inspect(inv: Invocation, file: string, options: InspectOptions): Promise<void> {
  const views = parseViews(options.show);
  const scenario = loadScenarioFile(file);
  const at = options.step === undefined ? null : parseStep(options.step, scenario.processes.map((p) => p.name));
  const text = await stopScenarioAt(scenario, settingsFromOptions(options), at, options.force === true, (session) => {
    const runner = session.runner;
    const where = inspectWhere(runner, at !== null && typeof at === "object" ? at : null);
    const processes = selectProcesses(allProcesses(runner), options.process);
    const system = session.system;
    const out = inspectState(file, where, describeMachine(session.config), runner, processes, views);
    if (options.json) return `${JSON.stringify(out)}\n`;
    const lines = [`${scenario.name} — ${where}\n`];
    for (const p of processes) lines.push("\n" + formatProcess(p, views.includes("maps"), views.includes("pagemap")));
    if (out.frames) lines.push("\n" + formatFrameMap(out.frames));
    if (out.swap) lines.push("\n" + formatSwapMap(out.swap));
    if (out.boot) lines.push("\n" + formatBootInfo(out.boot));
    if (out.lists !== undefined) lines.push("\n" + (out.lists === null ? `${system.vmm.policyName} keeps no lists of its own (see linux, mglru)\n` : formatPolicyView(out.lists)));
    if (out.pressure) lines.push("\n" + formatPressureView(out.pressure));
    return lines.join("");
  });
  inv.io.stdout.write(text);
}

/** `--step 12` (turns) or `--step parent:3` (the first 3 steps of parent). */
function parseStep(text: string, names: string[]): number | { name: string; steps: number } {
  const m = /^(.+):(\d+)$/.exec(text.trim());
  if (m === null) return integer(text, "--step", 0, 100_000_000);
  if (!names.includes(m[1])) throw new InputError(`no process '${m[1]}' in the scenario (${names.join(", ")})`, "--step");
  return { name: m[1], steps: integer(m[2], "--step", 0, 100_000_000) };
}

function parseViews(text: string): View[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.includes("")) throw new InputError(text.trim() === "" ? "no view given" : `'${text}' has an empty item`, "--show");
  for (const n of names) if (!(VIEWS as readonly string[]).includes(n)) throw new InputError(`unknown view '${n}' (${VIEWS.join(", ")})`, "--show");
  return names as View[];
}

function selectProcesses(all: ProcessView[], which: string | undefined): ProcessView[] {
  if (which === undefined) return all;
  const match = all.filter((p) => p.name === which || String(p.pid) === which);
  if (match.length === 0) throw new InputError(`no process '${which}' (${all.map((p) => `${p.pid}:${p.name}`).join(", ") || "none created yet"})`, "--process");
  return match;
}
