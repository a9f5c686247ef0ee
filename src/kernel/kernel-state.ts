/**
 * The kernel's state, shared by the modules that implement the seed's parts
 * (page-fault.ts, address-space.ts, eviction.ts, ...), in the manner of
 * xv6's globals: the machine it runs on, the frame allocator and frame
 * table, TLB control, the swap area, the replacement policy, the address
 * spaces, and the counters. Only plain bookkeeping lives here; every
 * operation is a function of its own module.
 */

import { PTE } from "../machine/i386.js";
import type { Mmu } from "../machine/mmu.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import type { AddressSpace } from "./address-space-record.js";
import type { FrameAllocator } from "./frame-allocator.js";
import { FrameKind, type FrameKindValue, type FrameTable } from "./frame-table.js";
import { harvestReferenced } from "./accessed-harvest.js";
import type { ReferencedFrameSink, ReplacementHost, ReplacementPolicy } from "./replacement/policy.js";
import type { SwapArea } from "./swap-area.js";
import type { SwapShadows } from "./swap-shadows.js";
import type { Psi } from "./psi.js";
import type { TlbControl } from "./tlb-control.js";
import type { FaultCounts, VmStat, Vmm386Stat } from "./vmstat.js";
import type { KernelEventSink } from "./kernel-events.js";

/** Pages per address space id in a policy key: key = id * 2^20 + virtual page number. */
export const KEY_SPACE_STRIDE = 1 << 20;

/** The policy key of the page at `va` of space `spaceId` (see ReplacementPolicy.insert). */
export function pageKey(spaceId: number, va: number): number {
  return spaceId * KEY_SPACE_STRIDE + (va >>> 12);
}

export class KernelState implements ReplacementHost {
  readonly memory: PhysicalMemory;
  readonly mmu: Mmu;
  readonly frames: FrameAllocator;
  readonly frameTable: FrameTable;
  readonly tlb: TlbControl;
  readonly swap: SwapArea | null;
  readonly stat: VmStat;
  readonly vmm386: Vmm386Stat;
  readonly faults: FaultCounts;
  /** Frames below this are reached by the kernel's KERNEL_BASE alias ("low memory"). */
  readonly aliasFrames: number;
  /** Most user pages resident at once (Infinity: only RAM limits). */
  readonly userFrameLimit: number;
  readonly kernelSpace: AddressSpace;
  readonly spaces = new Map<number, AddressSpace>();
  policy!: ReplacementPolicy;
  /** Memory pressure stall information: who waited how long for swap (psi.ts). */
  psi!: Psi;
  /** Shadow entries by swap slot, when the policy keeps them (policy.workingSet); else null. */
  shadows: SwapShadows | null = null;
  current: AddressSpace;
  /** Frames holding user pages (kind USER). */
  userResident = 0;
  /** Timer ticks (from Vmm.tick). */
  now = 0;
  nextSpaceId = 1;
  /** Where fault decisions and evictions are told (kernel-events.ts); null: nobody listens, nothing is built. */
  events: KernelEventSink | null = null;

  constructor(parts: {
    memory: PhysicalMemory;
    mmu: Mmu;
    frames: FrameAllocator;
    frameTable: FrameTable;
    tlb: TlbControl;
    swap: SwapArea | null;
    stat: VmStat;
    vmm386: Vmm386Stat;
    faults: FaultCounts;
    aliasFrames: number;
    userFrameLimit: number;
    kernelSpace: AddressSpace;
  }) {
    this.memory = parts.memory;
    this.mmu = parts.mmu;
    this.frames = parts.frames;
    this.frameTable = parts.frameTable;
    this.tlb = parts.tlb;
    this.swap = parts.swap;
    this.stat = parts.stat;
    this.vmm386 = parts.vmm386;
    this.faults = parts.faults;
    this.aliasFrames = parts.aliasFrames;
    this.userFrameLimit = parts.userFrameLimit;
    this.kernelSpace = parts.kernelSpace;
    this.current = parts.kernelSpace;
    this.spaces.set(parts.kernelSpace.id, parts.kernelSpace);
  }

  /** Takes a free frame below `limit` for `kind`; -1 when none is free (no eviction here). */
  takeFrame(kind: FrameKindValue, limit: number, ownerSpace = -1, ownerSlot = -1): number {
    const pfn = this.frames.alloc(limit);
    if (pfn < 0) return -1;
    this.frameTable.setKind(pfn, kind, ownerSpace, ownerSlot);
    this.stat.pgalloc_normal++;
    return pfn;
  }

  /**
   * Gives frame `pfn` back to the allocator, scrubbed (like Linux's
   * init_on_free): the host gets the frame's backing back, and the zeroing
   * every user page gets at allocation then costs nothing. A freed frame
   * leaves the swap cache.
   */
  releaseFrame(pfn: number): void {
    this.swap?.cache.unlinkFrame(pfn);
    this.memory.zeroFrame(pfn);
    this.frameTable.setKind(pfn, FrameKind.FREE);
    if (this.frames.freeFrame(pfn)) this.stat.pgfree++;
  }

  /** Invalidates the TLB entry of the PTE at `pteAddr` if its space is the active one. */
  invalidatePte(pteAddr: number): void {
    if (this.frameTable.spaceOfPte(pteAddr) === this.current.id) this.tlb.invalidatePage(this.frameTable.vaOfPte(pteAddr));
  }

  /**
   * ReplacementHost: was frame `pfn` referenced since last asked? Tests and
   * clears Accessed in every PTE that maps it (found by the reverse map),
   * invalidating the active space's TLB entry so the next access walks and
   * sets Accessed again; also consumes a reference working-set sampling saw.
   */
  testAndClearReferenced(pfn: number): boolean {
    const ft = this.frameTable;
    const mem = this.memory;
    let referenced = ft.softReferenced[pfn] !== 0;
    ft.softReferenced[pfn] = 0;
    for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) {
      const pteAddr = ft.nodePteAddr(node);
      const entry = mem.read32(pteAddr);
      if ((entry & PTE.ACCESSED) === 0) continue;
      mem.write32(pteAddr, entry & ~PTE.ACCESSED);
      this.invalidatePte(pteAddr);
      referenced = true;
    }
    return referenced;
  }

  /** ReplacementHost: MGLRU's aging walk over every user space's page tables (accessed-harvest.ts). */
  harvestReferenced(sink: ReferencedFrameSink): void {
    harvestReferenced(this, sink);
  }
}
