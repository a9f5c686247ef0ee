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
import { PAGE_SIZE, PTE, hex32 } from "../../machine/i386.js";
import { KPTE } from "../../kernel/pte.js";
import { USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_BASE, USER_STACK_TOP } from "../../kernel/layout.js";
import { bootInfoView, formatBootInfo } from "../../report/boot-info.js";
import { formatFrameMap, frameMap } from "../../report/frame-map.js";
import { userPageEntries, type PageEntry } from "../../sim/scenario/page-map.js";
import { ScenarioRunner } from "../../sim/scenario/runner.js";
import { scenarioFuture } from "../../sim/scenario/opt-future.js";
import type { System } from "../../sim/system.js";
import { formatPolicyView, type ViewedProcess } from "../../sim/policy-view.js";
import { formatPressure, type Pressure } from "../../kernel/vmm.js";
import { UserError } from "../errors.js";
import { addMachineOptions, describeMachine, integer, machineFromOptions, mergeMachine, requirePolicyPlugins, systemConfig, type CommonOptions } from "../options.js";
import { checkWork, createSystem, loadScenario } from "./run.js";

const VIEWS = ["maps", "pagemap", "frames", "swap", "boot", "lists", "pressure"] as const;
type View = (typeof VIEWS)[number];

interface InspectOptions extends CommonOptions {
  step?: string;
  process?: string;
  show: string;
}

/** One run of contiguous pages with the same region and rights. */
export interface MapLine {
  readonly start: number;
  readonly end: number;
  readonly perms: string;
  readonly region: string;
  readonly present: number;
  readonly swapped: number;
  readonly demand: number;
  readonly cow: number;
}

interface ProcessView {
  readonly pid: number;
  readonly name: string;
  readonly state: string;
  readonly pageDirectory: number | null;
  readonly entries: PageEntry[];
}

export function register(program: Command): void {
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
  ).action((file: string, options: InspectOptions) => inspect(file, options));
}

async function inspect(file: string, options: InspectOptions): Promise<void> {
  const views = parseViews(options.show);
  const scenario = loadScenario(file);
  const config = systemConfig(mergeMachine(scenario.machine, machineFromOptions(options)));
  // Stopping at a step runs only part of the scenario, unless OPT records all of it first.
  if (options.step === undefined || config.policy === "opt") checkWork(scenario, config, options);
  await requirePolicyPlugins(config.policy);
  const future = scenarioFuture(scenario, config, createSystem);
  const system = createSystem({ ...config, future });
  try {
    const runner = new ScenarioRunner(system, scenario, { machine: describeMachine(config), references: future });
    const at = options.step === undefined ? null : parseStep(options.step, scenario.processes.map((p) => p.name));
    if (at === null) runner.runToEnd();
    else if (typeof at === "number") runner.runTurns(at);
    else runner.runUntilStep(at.name, at.steps);
    const where = runner.finished
      ? "at the end"
      : at !== null && typeof at === "object"
        ? `after step ${runner.stepsDone(at.name)} of ${at.name} (${runner.turns} turns)`
        : `after ${runner.turns} turns`;
    const processes = selectProcesses(runner, options.process);
    const out = {
      scenario: file,
      where,
      machine: describeMachine(config),
      processes: processes.map((p) => ({ ...p, entries: undefined })),
      maps: views.includes("maps") ? Object.fromEntries(processes.map((p) => [p.pid, mapLines(p.entries)])) : undefined,
      pagemap: views.includes("pagemap") ? Object.fromEntries(processes.map((p) => [p.pid, p.entries.map(decodeEntry)])) : undefined,
      frames: views.includes("frames") ? frameMap(system, allProcesses(runner)) : undefined,
      swap: views.includes("swap") ? swapMap(system, allProcesses(runner)) : undefined,
      boot: views.includes("boot") ? bootInfoView(system.machine.memory, system.machine.bootInfoAddress) : undefined,
      lists: views.includes("lists") ? system.policyView(liveProcesses(runner)) : undefined,
      pressure: views.includes("pressure") ? pressureView(system, runner) : undefined,
    };
    if (options.json) {
      process.stdout.write(JSON.stringify(out) + "\n");
      return;
    }
    process.stdout.write(`${scenario.name} — ${where}\n`);
    for (const p of processes) printProcess(p, views);
    if (out.frames) process.stdout.write("\n" + formatFrameMap(out.frames));
    if (out.swap) printSwap(out.swap);
    if (out.boot) process.stdout.write("\n" + formatBootInfo(out.boot));
    if (out.lists !== undefined) process.stdout.write("\n" + (out.lists === null ? `${system.vmm.policyName} keeps no lists of its own (see linux, mglru)\n` : formatPolicyView(out.lists)));
    if (out.pressure) printPressure(out.pressure);
  } finally {
    system.close();
  }
}

/** `--step 12` (turns) or `--step parent:3` (the first 3 steps of parent). */
function parseStep(text: string, names: string[]): number | { name: string; steps: number } {
  const m = /^(.+):(\d+)$/.exec(text.trim());
  if (m === null) return integer(text, "--step", 0, 100_000_000);
  if (!names.includes(m[1])) throw new UserError(`no process '${m[1]}' in the scenario (${names.join(", ")})`, "--step");
  return { name: m[1], steps: integer(m[2], "--step", 0, 100_000_000) };
}

function parseViews(text: string): View[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.includes("")) throw new UserError(text.trim() === "" ? "no view given" : `'${text}' has an empty item`, "--show");
  for (const n of names) if (!(VIEWS as readonly string[]).includes(n)) throw new UserError(`unknown view '${n}' (${VIEWS.join(", ")})`, "--show");
  return names as View[];
}

/** Live processes with their page directories, for the policy's lists. */
function liveProcesses(runner: ScenarioRunner): ViewedProcess[] {
  return allProcesses(runner).flatMap((p) => (p.pageDirectory === null ? [] : [{ pid: p.pid, name: p.name, pdPhys: p.pageDirectory }]));
}

interface PressureView {
  readonly memory: Pressure;
  /** Stalled ticks by pid. */
  readonly stalledTicks: Record<number, number>;
}

function pressureView(system: System, runner: ScenarioRunner): PressureView {
  const stalledTicks = Object.fromEntries([...runner.names.keys()].map((pid) => [pid, system.process(pid).stalledTicks]));
  return { memory: system.stats().psi, stalledTicks };
}

function printPressure(p: PressureView): void {
  process.stdout.write(`\n/proc/pressure/memory (a tick as a second):\n${formatPressure(p.memory)}\n`);
  for (const [pid, ticks] of Object.entries(p.stalledTicks)) process.stdout.write(`pid ${pid}: stalled ${ticks.toFixed(2)} ticks\n`);
}

function allProcesses(runner: ScenarioRunner): ProcessView[] {
  return [...runner.names].map(([pid, name]) => processView(runner, pid, name));
}

function selectProcesses(runner: ScenarioRunner, which: string | undefined): ProcessView[] {
  const all = allProcesses(runner);
  if (which === undefined) return all;
  const match = all.filter((p) => p.name === which || String(p.pid) === which);
  if (match.length === 0) throw new UserError(`no process '${which}' (${all.map((p) => `${p.pid}:${p.name}`).join(", ") || "none created yet"})`, "--process");
  return match;
}

function processView(runner: ScenarioRunner, pid: number, name: string): ProcessView {
  const state = runner.system.process(pid).status.state;
  const pd = runner.pageDirectory(pid);
  return { pid, name, state, pageDirectory: pd, entries: pd === null ? [] : userPageEntries(runner.system.machine.memory, pd) };
}

/** The layout region of a user address. */
function regionOf(va: number): string {
  if (va >= USER_STACK_BASE && va < USER_STACK_TOP) return "[stack]";
  if (va >= USER_SHARED_BASE) return "[mmap]";
  if (va >= USER_HEAP_BASE) return "[heap]";
  return "[code]";
}

/** rw-p style rights: COW counts as writable (the write will copy). */
function permsOf(pte: number): string {
  const w = (pte & PTE.RW) !== 0 || (pte & KPTE.COW) !== 0;
  return `r${w ? "w" : "-"}-p`;
}

/** Groups page entries into /proc/PID/maps-like lines. */
export function mapLines(entries: readonly PageEntry[]): MapLine[] {
  const lines: MapLine[] = [];
  let cur: { start: number; end: number; perms: string; region: string; present: number; swapped: number; demand: number; cow: number } | null = null;
  for (const e of entries) {
    const perms = permsOf(e.pte);
    const region = regionOf(e.va);
    if (cur === null || cur.end !== e.va || cur.perms !== perms || cur.region !== region) {
      if (cur !== null) lines.push(cur);
      cur = { start: e.va, end: e.va, perms, region, present: 0, swapped: 0, demand: 0, cow: 0 };
    }
    cur.end = e.va + PAGE_SIZE;
    if (e.state === "present") cur.present++;
    else if (e.state === "swapped") cur.swapped++;
    else if (e.state === "demand") cur.demand++;
    if ((e.pte & KPTE.COW) !== 0) cur.cow++;
  }
  if (cur !== null) lines.push(cur);
  return lines;
}

/** One pagemap line's data: the PTE decoded. */
function decodeEntry(e: PageEntry): Record<string, string | number | boolean> {
  const flags = [
    (e.pte & PTE.USER) !== 0 ? "U" : "S",
    (e.pte & PTE.RW) !== 0 ? "W" : "R",
    (e.pte & PTE.ACCESSED) !== 0 ? "A" : "",
    (e.pte & PTE.DIRTY) !== 0 ? "D" : "",
    (e.pte & KPTE.COW) !== 0 ? "COW" : "",
  ].filter((f) => f !== "");
  const base = { va: hex32(e.va), pte: hex32(e.pte), state: e.state, flags: flags.join(" ") };
  if (e.state === "present") return { ...base, pfn: e.frameOrSlot };
  if (e.state === "swapped") return { ...base, slot: e.frameOrSlot };
  return base;
}

function printProcess(p: ProcessView, views: View[]): void {
  const head = `\npid ${p.pid} (${p.name}) ${p.state}`;
  if (p.pageDirectory === null) {
    process.stdout.write(`${head}: no address space\n`);
    return;
  }
  process.stdout.write(`${head}, page directory at ${hex32(p.pageDirectory)}\n`);
  if (views.includes("maps")) {
    for (const l of mapLines(p.entries)) {
      const pages = (l.end - l.start) / PAGE_SIZE;
      const detail = [`${l.present} present`, l.cow ? `${l.cow} cow` : "", l.swapped ? `${l.swapped} swapped` : "", l.demand ? `${l.demand} demand-zero` : ""].filter((s) => s !== "");
      process.stdout.write(`${hex(l.start)}-${hex(l.end)} ${l.perms} ${l.region.padEnd(8)} ${String(pages).padStart(6)} pages: ${detail.join(", ")}\n`);
    }
  }
  if (views.includes("pagemap")) {
    process.stdout.write("  VA        PTE       state    frame/slot  flags\n");
    for (const e of p.entries) {
      const d = decodeEntry(e);
      const where = d.pfn !== undefined ? `pfn ${hex5(Number(d.pfn))}` : d.slot !== undefined ? `slot ${d.slot}` : "";
      process.stdout.write(`  ${hex(e.va)}  ${hex(e.pte)}  ${e.state.padEnd(7)}  ${where.padEnd(10)}  ${d.flags}\n`);
    }
  }
}

interface SwapMap {
  totalSlots: number;
  usedSlots: number;
  /** Slots retired after a failed write (never used again). */
  badSlots: number;
  /** Pages kept in the swap cache (in a frame and still in their slot). */
  cachedPages: number;
  /** slot → "pid:va" of every PTE naming it. */
  slots: Record<number, string[]>;
}

function swapMap(system: System, processes: ProcessView[]): SwapMap {
  const slots: Record<number, string[]> = {};
  for (const p of processes) {
    for (const e of p.entries) if (e.state === "swapped") (slots[e.frameOrSlot] ??= []).push(`${p.pid}:${hex32(e.va)}`);
  }
  const swap = system.vmm.swap;
  return {
    totalSlots: swap?.totalSlots ?? 0,
    usedSlots: swap?.usedSlots ?? 0,
    badSlots: swap?.badSlots ?? 0,
    cachedPages: swap?.cachedPages ?? 0,
    slots,
  };
}

function printSwap(s: SwapMap): void {
  if (s.totalSlots === 0) {
    process.stdout.write("\nswap: none\n");
    return;
  }
  const extra = [s.badSlots > 0 ? `${s.badSlots} retired after failed writes` : "", s.cachedPages > 0 ? `${s.cachedPages} in the swap cache` : ""];
  process.stdout.write(`\nswap: ${[`${s.totalSlots} slots`, `${s.usedSlots} in use`, ...extra.filter((x) => x !== "")].join(", ")}\n`);
  for (const [slot, owners] of Object.entries(s.slots)) process.stdout.write(`slot ${String(slot).padStart(6)}: ${owners.join(" ")}\n`);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function hex5(n: number): string {
  return "0x" + n.toString(16).padStart(5, "0");
}
