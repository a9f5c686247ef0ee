/**
 * What a playground shows at a point of a run, as plain data built from
 * the machine and the kernel (never kept between points: each view is read
 * afresh from simulated memory, so it cannot drift from it):
 *   - each process's page directory and page tables, entries decoded;
 *   - the TLB's sets and ways, stale entries flagged;
 *   - the frame map: each frame's use, reference count and the PTEs that
 *     map it (the reverse map), its swap-cache slot;
 *   - the swap map: each slot in use, its reference count, who names it and
 *     its swap-cache frame;
 *   - the counters (faults, vmstat, TLB) and the recent kernel events.
 * Reading changes nothing: no Accessed or Dirty bit, no TLB state.
 */
import { ENTRIES_PER_TABLE, PTE } from "../../machine/i386.js";
import { FAULT } from "../../machine/mmu.js";
import { mismatch } from "../../machine/strict-tlb.js";
import { KERNEL_PD_INDEX } from "../../kernel/layout.js";
import { FRAME_KIND_NAMES } from "../../kernel/frame-table.js";
import type { KernelEvent } from "../../kernel/kernel-events.js";
import { NO_PTE, tableAt } from "../../kernel/page-tables.js";
import { entryFrame, hardwareFlags, isCow, isDemand, isPresent, isSwapped } from "../../kernel/pte.js";
import type { System, SystemStats } from "../system.js";
import type { PolicyView } from "../policy-view.js";
import type { LoggedEvent } from "./event-log.js";

/** The bits of an entry a student looks at, by their manual and seed names. */
export interface EntryFlags {
  readonly P: boolean;
  readonly RW: boolean;
  readonly US: boolean;
  readonly A: boolean;
  readonly D: boolean;
  readonly COW: boolean;
  readonly SWAPPED: boolean;
  readonly DEMAND: boolean;
}

/** One non-empty PTE. */
export interface PteView {
  readonly index: number;
  readonly va: number;
  readonly entry: number;
  readonly pteAddr: number;
  readonly flags: EntryFlags;
  /** The frame when present, the slot when swapped, else -1. */
  readonly frame: number;
  readonly slot: number;
}

/** One present directory entry of the user half and its table. */
export interface PdeView {
  readonly index: number;
  readonly va: number;
  readonly entry: number;
  readonly table: number;
  readonly flags: EntryFlags;
  readonly ptes: readonly PteView[];
}

export interface ProcessView {
  readonly pid: number;
  readonly name: string;
  readonly state: string;
  readonly detail: string;
  /** CR3 of its space, 0 when it has none (ended). */
  readonly pageDirectory: number;
  readonly current: boolean;
  readonly pdes: readonly PdeView[];
}

export interface TlbEntryState {
  readonly set: number;
  readonly way: number;
  readonly array: "4K" | "4M";
  readonly va: number;
  readonly pfn: number;
  readonly rw: boolean;
  readonly us: boolean;
  readonly d: boolean;
  readonly g: boolean;
  readonly pteAddr: number;
  /** Why the page tables no longer say what the entry caches, or null. */
  readonly stale: string | null;
}

export interface TlbState {
  readonly enabled: boolean;
  readonly strict: boolean;
  readonly sets: number;
  readonly ways: number;
  readonly entries: readonly TlbEntryState[];
  readonly violations: number;
}

/** A user frame's mapper, from the reverse map. */
export interface FrameMapping {
  readonly pid: number;
  readonly va: number;
  readonly pteAddr: number;
  readonly cow: boolean;
}

export interface FrameState {
  readonly pfn: number;
  readonly use: string;
  readonly refcount: number;
  readonly mappings: readonly FrameMapping[];
  /** The swap slot it is a clean copy of, or -1. */
  readonly swapCacheSlot: number;
}

export interface SlotState {
  readonly slot: number;
  readonly refcount: number;
  /** Who names the slot in a SWAPPED entry. */
  readonly owners: readonly { readonly pid: number; readonly va: number }[];
  /** The frame holding its page in the swap cache, or -1. */
  readonly cacheFrame: number;
}

export interface SwapState {
  readonly totalSlots: number;
  readonly usedSlots: number;
  readonly cachedPages: number;
  readonly slots: readonly SlotState[];
}

/** An event as a view shows it: owners named by pid. */
export interface EventView {
  readonly move: number;
  readonly pid: number;
  readonly event: KernelEvent;
}

export interface SystemView {
  readonly processes: readonly ProcessView[];
  readonly tlb: TlbState;
  readonly frames: readonly FrameState[];
  readonly swap: SwapState;
  readonly stats: SystemStats;
  readonly events: readonly EventView[];
  /** The policy's own lists (linux: inactive and active; mglru: its generations), or null for a policy without. */
  readonly lists: PolicyView | null;
}

/** Everything shown of `system` now; `names` names pids, `events` are the recent kernel events. */
export function systemView(system: System, names: ReadonlyMap<number, string>, events: readonly LoggedEvent[]): SystemView {
  const pidOfSpace = spacePids(system);
  const processes = system.processList().map((p) => processView(system, p.pid, names.get(p.pid) ?? `pid ${p.pid}`));
  return {
    processes,
    tlb: tlbState(system),
    frames: frameStates(system, pidOfSpace),
    swap: swapState(system, processes),
    stats: system.stats(),
    events: events.map((l) => ({ move: l.move, pid: pidOfEvent(l.event, pidOfSpace), event: l.event })),
    lists: system.policyView(processes.flatMap((p) => (p.pageDirectory === 0 ? [] : [{ pid: p.pid, name: p.name, pdPhys: p.pageDirectory }]))),
  };
}

/** Decodes an entry's bits. */
export function entryFlags(entry: number): EntryFlags {
  return { ...hardwareFlags(entry), COW: isPresent(entry) && isCow(entry), SWAPPED: isSwapped(entry), DEMAND: isDemand(entry) };
}

function processView(system: System, pid: number, name: string): ProcessView {
  const info = system.process(pid);
  const running = info.status.state === "running";
  const pd = running ? info.pdPhys : 0;
  const detail = info.status.state === "exited" ? `exit ${info.status.code}` : info.status.state === "killed" ? info.status.report.reason : "";
  return {
    pid,
    name,
    state: info.status.state,
    detail,
    pageDirectory: pd,
    current: running && pd !== 0 && (system.machine.mmu.cr3 & ~0xfff) >>> 0 === pd,
    pdes: pd === 0 ? [] : directoryView(system, pd),
  };
}

/** The present user-half directory entries of `pd` and their tables' non-empty entries. */
function directoryView(system: System, pd: number): PdeView[] {
  const memory = system.machine.memory;
  const out: PdeView[] = [];
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const table = tableAt(memory, pd, pdi);
    if (table === NO_PTE) continue;
    const pde = memory.read32(pd + pdi * 4) >>> 0;
    const ptes: PteView[] = [];
    for (let pti = 0; pti < ENTRIES_PER_TABLE; pti++) {
      const pteAddr = table + pti * 4;
      const entry = memory.read32(pteAddr) >>> 0;
      if (entry === 0) continue;
      const flags = entryFlags(entry);
      ptes.push({ index: pti, va: ((pdi << 22) | (pti << 12)) >>> 0, entry, pteAddr, flags, frame: flags.P ? entryFrame(entry) : -1, slot: flags.SWAPPED ? entryFrame(entry) : -1 });
    }
    out.push({ index: pdi, va: (pdi << 22) >>> 0, entry: pde, table, flags: entryFlags(pde), ptes });
  }
  return out;
}

function tlbState(system: System): TlbState {
  const mmu = system.machine.mmu;
  const tlb = mmu.tlb;
  const entries = tlb.entries().map((e): TlbEntryState => {
    const cached = { present: true, pfn: e.pfn, bits: e.bits & (PTE.RW | PTE.USER | PTE.DIRTY) };
    const pfn = mmu.probe(e.va);
    const current = pfn === FAULT ? { present: false, pfn: 0, bits: 0 } : { present: true, pfn, bits: mmu.probeBits & (PTE.RW | PTE.USER | PTE.DIRTY) };
    return {
      set: e.set,
      way: e.way,
      array: e.array,
      va: e.va,
      pfn: e.pfn,
      rw: (e.bits & PTE.RW) !== 0,
      us: (e.bits & PTE.USER) !== 0,
      d: (e.bits & PTE.DIRTY) !== 0,
      g: (e.bits & PTE.GLOBAL) !== 0,
      pteAddr: e.pteAddr,
      stale: mismatch(cached, current),
    };
  });
  return {
    enabled: tlb.enabled,
    strict: system.config.strictTlb === true,
    sets: tlb.setCount,
    ways: tlb.geometry.ways,
    entries,
    violations: mmu.strictViolationCount,
  };
}

/** Address space id -> pid, for the processes that have one. */
function spacePids(system: System): Map<number, number> {
  const out = new Map<number, number>();
  const inspect = system.vmm.inspect;
  for (const p of system.processList()) {
    if (p.status.state === "running" && p.pdPhys !== 0) out.set(inspect.spaceOfDirectory(p.pdPhys), p.pid);
  }
  return out;
}

function frameStates(system: System, pidOfSpace: ReadonlyMap<number, number>): FrameState[] {
  const inspect = system.vmm.inspect;
  const out: FrameState[] = [];
  for (let pfn = 0; pfn < inspect.frames; pfn++) {
    const use = inspect.frameUse(pfn);
    const user = use === FRAME_KIND_NAMES[5];
    const mappings = user
      ? inspect.mappings(pfn).map((pteAddr) => {
          const entry = inspect.entryAt(pteAddr);
          return { pid: pidOfSpace.get(inspect.spaceOfEntry(pteAddr)) ?? 0, va: inspect.vaOfEntry(pteAddr), pteAddr, cow: isCow(entry) };
        }).sort((a, b) => a.pid - b.pid || a.va - b.va)
      : [];
    out.push({ pfn, use, refcount: user ? inspect.refcount(pfn) : 0, mappings, swapCacheSlot: user ? inspect.swapCacheSlot(pfn) : -1 });
  }
  return out;
}

function swapState(system: System, processes: readonly ProcessView[]): SwapState {
  const swap = system.vmm.swap;
  const inspect = system.vmm.inspect;
  const owners = new Map<number, { pid: number; va: number }[]>();
  for (const p of processes) {
    for (const pde of p.pdes) for (const pte of pde.ptes) if (pte.slot >= 0) (owners.get(pte.slot) ?? owners.set(pte.slot, []).get(pte.slot)!).push({ pid: p.pid, va: pte.va });
  }
  const slots: SlotState[] = [];
  for (const slot of inspect.slotsInUse()) slots.push({ slot, refcount: inspect.slotRefcount(slot), owners: owners.get(slot) ?? [], cacheFrame: inspect.swapCacheFrame(slot) });
  return { totalSlots: swap?.totalSlots ?? 0, usedSlots: swap?.usedSlots ?? 0, cachedPages: swap?.cachedPages ?? 0, slots };
}

/** The pid an event concerns: the faulting space's, or the first mapper of an evicted frame. */
function pidOfEvent(e: KernelEvent, pidOfSpace: ReadonlyMap<number, number>): number {
  const space = e.type === "fault" ? e.spaceId : (e.mappings[0]?.spaceId ?? -1);
  return pidOfSpace.get(space) ?? 0;
}
