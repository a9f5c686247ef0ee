/**
 * `vmm386 inspect`'s state of a scenario at a point, as one plain object:
 * the processes and the views asked for (inspect-views.ts and the others
 * build each). The command prints it (`--json`, or as text); the playground
 * shows the same object for the same point, so what the browser says a
 * point holds is what the command line says.
 */
import { userPageEntries } from "../sim/scenario/page-map.js";
import type { ScenarioRunner } from "../sim/scenario/runner.js";
import type { ViewedProcess } from "../sim/policy-view.js";
import { bootInfoView } from "./boot-info.js";
import { frameMap } from "./frame-map.js";
import { mapLines, pagemapEntry, pressureView, swapMap, type ProcessView } from "./inspect-views.js";

export const INSPECT_VIEWS = ["maps", "pagemap", "frames", "swap", "boot", "lists", "pressure"] as const;
export type InspectView = (typeof INSPECT_VIEWS)[number];

/** Where a run stands, in inspect's words: "at the end", "after N turns", or after step K of a process. */
export function inspectWhere(runner: ScenarioRunner, at: { readonly name: string } | null = null): string {
  if (runner.finished && !runner.midStep) return "at the end";
  if (at !== null) return `after step ${runner.stepsDone(at.name)} of ${at.name} (${runner.turns} turns)`;
  return `after ${runner.turns} turns`;
}

/** Every process the runner created, with its user page entries. */
export function allProcesses(runner: ScenarioRunner): ProcessView[] {
  return [...runner.names].map(([pid, name]) => {
    const state = runner.system.process(pid).status.state;
    const pd = runner.pageDirectory(pid);
    return { pid, name, state, pageDirectory: pd, entries: pd === null ? [] : userPageEntries(runner.system.machine.memory, pd) };
  });
}

/** Live processes with their page directories, for the policy's lists. */
function liveProcesses(all: readonly ProcessView[]): ViewedProcess[] {
  return all.flatMap((p) => (p.pageDirectory === null ? [] : [{ pid: p.pid, name: p.name, pdPhys: p.pageDirectory }]));
}

/** inspect's JSON object: `shown` are the processes asked for (all unless --process), `views` the views asked for. */
export function inspectState(
  file: string,
  where: string,
  machine: Readonly<Record<string, string | number | boolean>>,
  runner: ScenarioRunner,
  shown: readonly ProcessView[],
  views: readonly InspectView[],
) {
  const system = runner.system;
  const all = allProcesses(runner);
  return {
    scenario: file,
    where,
    machine,
    processes: shown.map((p) => ({ ...p, entries: undefined })),
    maps: views.includes("maps") ? Object.fromEntries(shown.map((p) => [p.pid, mapLines(p.entries)])) : undefined,
    pagemap: views.includes("pagemap") ? Object.fromEntries(shown.map((p) => [p.pid, p.entries.map(pagemapEntry)])) : undefined,
    frames: views.includes("frames") ? frameMap(system, all) : undefined,
    swap: views.includes("swap") ? swapMap(system.vmm, all) : undefined,
    boot: views.includes("boot") ? bootInfoView(system.machine.memory, system.machine.bootInfoAddress) : undefined,
    lists: views.includes("lists") ? system.policyView(liveProcesses(all)) : undefined,
    pressure: views.includes("pressure") ? pressureView(system, [...runner.names.keys()]) : undefined,
  };
}
