/**
 * A process's user pages as a debugger reads them, straight from simulated
 * physical memory through the kernel's own walk and entry decoding: for
 * `inspect` (maps, pagemap) and for the recorder's resident/swapped counts.
 * Read-only: looking never sets A/D bits nor touches the TLB.
 */
import type { PhysicalMemory } from "../../machine/physical-memory.js";
import { forEachUserEntry } from "../../kernel/page-tables.js";
import { entryFrame, entryState } from "../../kernel/pte.js";

/** What one non-empty user PTE says. */
export type PageState = "present" | "swapped" | "demand" | "other";

/** One non-empty user PTE. */
export interface PageEntry {
  readonly va: number;
  readonly pte: number;
  /** Physical address of the PTE itself. */
  readonly pteAddr: number;
  readonly state: PageState;
  /** Frame number when present, swap slot when swapped, else -1. */
  readonly frameOrSlot: number;
}

/** Page counts of one address space. */
export interface PageCounts {
  resident: number;
  swapped: number;
  demand: number;
}

/** The state a non-empty entry encodes. */
export function pageState(pte: number): PageState {
  const state = entryState(pte);
  return state === "none" ? "other" : state;
}

/** Every non-empty user PTE of the directory at `pdPhys`. */
export function userPageEntries(memory: PhysicalMemory, pdPhys: number): PageEntry[] {
  const out: PageEntry[] = [];
  forEachUserEntry(memory, pdPhys, (va, pte, pteAddr) => {
    const state = pageState(pte);
    out.push({ va, pte, pteAddr, state, frameOrSlot: state === "present" || state === "swapped" ? entryFrame(pte) : -1 });
  });
  return out;
}

/** Resident, swapped and demand-zero page counts of the directory at `pdPhys`. */
export function countUserPages(memory: PhysicalMemory, pdPhys: number): PageCounts {
  const counts: PageCounts = { resident: 0, swapped: 0, demand: 0 };
  forEachUserEntry(memory, pdPhys, (_va, pte) => {
    const state = pageState(pte);
    if (state === "present") counts.resident++;
    else if (state === "swapped") counts.swapped++;
    else if (state === "demand") counts.demand++;
  });
  return counts;
}
