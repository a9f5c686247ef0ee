/**
 * The i386 MMU: control registers, the two-level page walk and the TLB.
 *
 * Contract of the per-access path: `translate(va, kind)` returns the physical
 * frame number (0..0xFFFFF) of a successful access, or FAULT (-1) with
 * `errorCode` and `cr2` set exactly as the CPU would push them. It never
 * throws and never allocates. `kind` is the W|U bits of the #PF error code
 * (see ACCESS in i386.ts).
 *
 * This first version walks on every access (a correct MMU with no TLB); the
 * TLB model replaces the lookup without changing the contract.
 */

import { CR0, CR4, PF, PTE, LARGE_PDE_RESERVED_MASK, PAGE_SHIFT } from "./i386.js";
import type { CpuModel } from "./cpu-model.js";
import type { PhysicalMemory } from "./physical-memory.js";

export const FAULT = -1;

export interface TlbCounters {
  translations: number;
  hits: number;
  misses: number;
  walks: number;
  invlpgs: number;
  flushes: number;
}

export class Mmu {
  readonly memory: PhysicalMemory;
  readonly model: CpuModel;

  cr0 = CR0.PE;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  /** Error code of the last fault. */
  errorCode = 0;

  readonly counters: TlbCounters = { translations: 0, hits: 0, misses: 0, walks: 0, invlpgs: 0, flushes: 0 };

  constructor(memory: PhysicalMemory, model: CpuModel) {
    this.memory = memory;
    this.model = model;
  }

  get pagingEnabled(): boolean {
    return (this.cr0 & CR0.PG) !== 0;
  }

  setCr0(value: number): void {
    if (!this.model.hasWp) value &= ~CR0.WP;
    this.cr0 = value | 0;
    this.flushAll();
  }

  setCr4(value: number): void {
    if (!this.model.hasPse) value &= ~CR4.PSE;
    if (!this.model.hasPge) value &= ~CR4.PGE;
    this.cr4 = value | 0;
    this.flushAll();
  }

  /** MOV CR3: new directory, TLB flushed (global entries kept when CR4.PGE). */
  loadCr3(value: number): void {
    this.cr3 = value & ~0xfff;
    this.counters.flushes++;
  }

  /** INVLPG; false on a CPU that lacks it (the instruction would be #UD). */
  invlpg(_va: number): boolean {
    if (!this.model.hasInvlpg) return false;
    this.counters.invlpgs++;
    return true;
  }

  /** Every TLB entry, global ones included, is dropped. */
  flushAll(): void {
    this.counters.flushes++;
  }

  translate(va: number, kind: number): number {
    this.counters.translations++;
    if ((this.cr0 & CR0.PG) === 0) return va >>> PAGE_SHIFT;
    this.counters.misses++;
    return this.walk(va, kind);
  }

  /** The page walk with its A/D updates (SDM 4.3, 4.6, 4.8). */
  private walk(va: number, kind: number): number {
    this.counters.walks++;
    const mem = this.memory;
    const pdeAddr = (this.cr3 & ~0xfff) + ((va >>> 22) << 2);
    const pde = mem.read32(pdeAddr);
    if ((pde & PTE.PRESENT) === 0) return this.fault(va, kind);
    const user = (kind & PF.USER) !== 0;
    const write = (kind & PF.WRITE) !== 0;
    const wp = (this.cr0 & CR0.WP) !== 0;
    if ((pde & PTE.PS) !== 0 && (this.cr4 & CR4.PSE) !== 0) {
      if ((pde & LARGE_PDE_RESERVED_MASK) !== 0) return this.fault(va, kind | PF.PRESENT | PF.RSVD);
      if (!allowed(pde, user, write, wp)) return this.fault(va, kind | PF.PRESENT);
      const updated = pde | PTE.ACCESSED | (write ? PTE.DIRTY : 0);
      if (updated !== pde) mem.write32(pdeAddr, updated);
      return ((pde >>> 12) & 0xffc00) | ((va >>> 12) & 0x3ff);
    }
    // QEMU sets PDE.A once the PDE is used, even if the PTE then faults.
    if ((pde & PTE.ACCESSED) === 0) mem.write32(pdeAddr, pde | PTE.ACCESSED);
    const pteAddr = (pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2);
    const pte = mem.read32(pteAddr);
    if ((pte & PTE.PRESENT) === 0) return this.fault(va, kind);
    if (!allowed(pde & pte, user, write, wp)) return this.fault(va, kind | PF.PRESENT);
    const updated = pte | PTE.ACCESSED | (write ? PTE.DIRTY : 0);
    if (updated !== pte) mem.write32(pteAddr, updated);
    return pte >>> 12;
  }

  private fault(va: number, errorCode: number): number {
    this.cr2 = va >>> 0;
    this.errorCode = errorCode;
    return FAULT;
  }
}

/** Access rights of the effective entry (the AND of both levels' U/S and R/W). */
function allowed(rights: number, user: boolean, write: boolean, wp: boolean): boolean {
  if (user) {
    if ((rights & PTE.USER) === 0) return false;
    return !write || (rights & PTE.RW) !== 0;
  }
  return !write || !wp || (rights & PTE.RW) !== 0;
}
