/**
 * Reading a process's user page tables straight from simulated physical
 * memory, as a debugger would: for `inspect` (maps, pagemap) and for the
 * recorder's resident/swapped counts. Read-only: it never sets A/D bits nor
 * touches the TLB, so looking does not change what is looked at.
 */
import { ENTRIES_PER_TABLE, FRAME_MASK, PTE } from "../../machine/i386.js";
import type { PhysicalMemory } from "../../machine/physical-memory.js";
import { KERNEL_PD_INDEX } from "../../kernel/layout.js";
import { KPTE } from "../../kernel/pte.js";

/** What one user page-table entry says. */
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

/** The state an entry encodes (kernel meaning of bits 9-11, see src/kernel/pte.ts). */
export function pageState(pte: number): PageState {
  if ((pte & PTE.PRESENT) !== 0) return "present";
  if ((pte & KPTE.SWAPPED) !== 0) return "swapped";
  if ((pte & KPTE.DEMAND) !== 0) return "demand";
  return "other";
}

/** Calls `visit` for every non-zero PTE of the user half under directory `pdPhys`, in VA order. */
export function forEachUserPte(
  memory: PhysicalMemory,
  pdPhys: number,
  visit: (va: number, pte: number, pteAddr: number) => void,
): void {
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const pde = memory.read32(pdPhys + pdi * 4);
    if ((pde & PTE.PRESENT) === 0 || (pde & PTE.PS) !== 0) continue;
    const table = (pde & FRAME_MASK) >>> 0;
    for (let pti = 0; pti < ENTRIES_PER_TABLE; pti++) {
      const pteAddr = table + pti * 4;
      const pte = memory.read32(pteAddr);
      if (pte !== 0) visit(((pdi << 22) | (pti << 12)) >>> 0, pte >>> 0, pteAddr);
    }
  }
}

/** Every non-empty user PTE of the directory at `pdPhys`. */
export function userPageEntries(memory: PhysicalMemory, pdPhys: number): PageEntry[] {
  const out: PageEntry[] = [];
  forEachUserPte(memory, pdPhys, (va, pte, pteAddr) => {
    const state = pageState(pte);
    out.push({ va, pte, pteAddr, state, frameOrSlot: state === "present" || state === "swapped" ? pte >>> 12 : -1 });
  });
  return out;
}

/** Resident, swapped and demand-zero page counts of the directory at `pdPhys`. */
export function countUserPages(memory: PhysicalMemory, pdPhys: number): PageCounts {
  const counts: PageCounts = { resident: 0, swapped: 0, demand: 0 };
  forEachUserPte(memory, pdPhys, (_va, pte) => {
    const state = pageState(pte);
    if (state === "present") counts.resident++;
    else if (state === "swapped") counts.swapped++;
    else if (state === "demand") counts.demand++;
  });
  return counts;
}

/** Number of user page tables (present PDEs of the user half) under `pdPhys`. */
export function countUserPageTables(memory: PhysicalMemory, pdPhys: number): number {
  let n = 0;
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const pde = memory.read32(pdPhys + pdi * 4);
    if ((pde & PTE.PRESENT) !== 0 && (pde & PTE.PS) === 0) n++;
  }
  return n;
}
