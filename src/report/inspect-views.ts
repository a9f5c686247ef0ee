/**
 * The views of `vmm386 inspect` over a process's page entries and the swap
 * area: maps (runs of pages like /proc/PID/maps), pagemap (each PTE decoded
 * like /proc/PID/pagemap) and the swap map, as plain data for --json and
 * as text, and the memory pressure view. Entries are decoded by the kernel's own helpers (kernel/pte.ts).
 */
import { PAGE_SIZE, hex32 } from "../machine/i386.js";
import { USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_BASE, USER_STACK_TOP } from "../kernel/layout.js";
import { allowsOwnerWrite, entryFlags, isCow } from "../kernel/pte.js";
import { formatPressure, type Pressure, type Vmm } from "../kernel/vmm.js";
import type { System } from "../sim/system.js";
import type { PageEntry } from "../sim/scenario/page-map.js";

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

/** A process as inspect shows it. */
export interface ProcessView {
  readonly pid: number;
  readonly name: string;
  readonly state: string;
  readonly pageDirectory: number | null;
  readonly entries: readonly PageEntry[];
}

export interface SwapMap {
  totalSlots: number;
  usedSlots: number;
  /** Slots retired after a failed write (never used again). */
  badSlots: number;
  /** Pages kept in the swap cache (in a frame and still in their slot). */
  cachedPages: number;
  /** slot → "pid:va" of every PTE naming it. */
  slots: Record<number, string[]>;
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
  return `r${allowsOwnerWrite(pte) ? "w" : "-"}-p`;
}

/** Groups page entries into /proc/PID/maps-like lines. */
export function mapLines(entries: readonly PageEntry[]): MapLine[] {
  const lines: MapLine[] = [];
  let cur: { -readonly [K in keyof MapLine]: MapLine[K] } | null = null;
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
    if (isCow(e.pte)) cur.cow++;
  }
  if (cur !== null) lines.push(cur);
  return lines;
}

/** One pagemap line's data: the PTE decoded. */
export function pagemapEntry(e: PageEntry): Record<string, string | number | boolean> {
  const base = { va: hex32(e.va), pte: hex32(e.pte), state: e.state, flags: entryFlags(e.pte).join(" ") };
  if (e.state === "present") return { ...base, pfn: e.frameOrSlot };
  if (e.state === "swapped") return { ...base, slot: e.frameOrSlot };
  return base;
}

/** The swap area and which pages of `processes` live in which slots. */
export function swapMap(vmm: Vmm, processes: readonly ProcessView[]): SwapMap {
  const slots: Record<number, string[]> = {};
  for (const p of processes) {
    for (const e of p.entries) if (e.state === "swapped") (slots[e.frameOrSlot] ??= []).push(`${p.pid}:${hex32(e.va)}`);
  }
  const swap = vmm.swap;
  return {
    totalSlots: swap?.totalSlots ?? 0,
    usedSlots: swap?.usedSlots ?? 0,
    badSlots: swap?.badSlots ?? 0,
    cachedPages: swap?.cachedPages ?? 0,
    slots,
  };
}

/** A process's maps and/or pagemap as text. */
export function formatProcess(p: ProcessView, maps: boolean, pagemap: boolean): string {
  const head = `pid ${p.pid} (${p.name}) ${p.state}`;
  if (p.pageDirectory === null) return `${head}: no address space\n`;
  const out = [`${head}, page directory at ${hex32(p.pageDirectory)}`];
  if (maps) for (const l of mapLines(p.entries)) out.push(formatMapLine(l));
  if (pagemap) {
    out.push("  VA        PTE       state    frame/slot  flags");
    for (const e of p.entries) {
      const d = pagemapEntry(e);
      const where = d.pfn !== undefined ? `pfn ${hex5(Number(d.pfn))}` : d.slot !== undefined ? `slot ${d.slot}` : "";
      out.push(`  ${hex(e.va)}  ${hex(e.pte)}  ${e.state.padEnd(7)}  ${where.padEnd(10)}  ${d.flags}`);
    }
  }
  return out.join("\n") + "\n";
}

function formatMapLine(l: MapLine): string {
  const pages = (l.end - l.start) / PAGE_SIZE;
  const detail = [`${l.present} present`, l.cow ? `${l.cow} cow` : "", l.swapped ? `${l.swapped} swapped` : "", l.demand ? `${l.demand} demand-zero` : ""].filter((s) => s !== "");
  return `${hex(l.start)}-${hex(l.end)} ${l.perms} ${l.region.padEnd(8)} ${String(pages).padStart(6)} pages: ${detail.join(", ")}`;
}

/** The swap map as text. */
export function formatSwapMap(s: SwapMap): string {
  if (s.totalSlots === 0) return "swap: none\n";
  const extra = [s.badSlots > 0 ? `${s.badSlots} retired after failed writes` : "", s.cachedPages > 0 ? `${s.cachedPages} in the swap cache` : ""];
  const out = [`swap: ${[`${s.totalSlots} slots`, `${s.usedSlots} in use`, ...extra.filter((x) => x !== "")].join(", ")}`];
  for (const [slot, owners] of Object.entries(s.slots)) out.push(`slot ${String(slot).padStart(6)}: ${owners.join(" ")}`);
  return out.join("\n") + "\n";
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function hex5(n: number): string {
  return "0x" + n.toString(16).padStart(5, "0");
}

/** /proc/pressure/memory with each process's stalled ticks, as inspect --show pressure gives them. */
export interface PressureView {
  readonly memory: Pressure;
  /** Stalled ticks by pid. */
  readonly stalledTicks: Record<number, number>;
}

/** The pressure view of `system` now, for the processes `pids`. */
export function pressureView(system: System, pids: readonly number[]): PressureView {
  const stalledTicks = Object.fromEntries(pids.map((pid) => [pid, system.process(pid).stalledTicks]));
  return { memory: system.stats().psi, stalledTicks };
}

/** The pressure view as text: the /proc file, then one line per process. */
export function formatPressureView(p: PressureView): string {
  const lines = [`/proc/pressure/memory (a tick as a second):`, formatPressure(p.memory)];
  for (const [pid, ticks] of Object.entries(p.stalledTicks)) lines.push(`pid ${pid}: stalled ${ticks.toFixed(2)} ticks`);
  return lines.join("\n") + "\n";
}
