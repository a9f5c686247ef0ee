/**
 * A read-only window on the kernel's bookkeeping, for inspectors (`inspect`,
 * reports, a playground's views): what each frame is used for, who maps a
 * user frame, which space a page table or directory belongs to, what boot
 * set aside. It answers questions; it hands out no table, so nothing outside
 * the kernel can change — or come to depend on — how the kernel keeps them.
 */
import type { BootResult } from "./boot.js";
import { FRAME_KIND_NAMES, FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";

/** What a frame is used for, by the frame table's names. */
export type FrameUse = (typeof FRAME_KIND_NAMES)[number];

/** Where a frame boot set aside came from, as far as boot laid it out. */
export type BootOrigin = "paging" | "payload" | "none";

export class KernelInspection {
  private readonly payload: Uint8Array;

  constructor(
    private readonly k: KernelState,
    private readonly boot: BootResult,
  ) {
    this.payload = framesOf(k.frameTable.frames, boot.info.payloads);
  }

  /** Frames the kernel tracks. */
  get frames(): number {
    return this.k.frameTable.frames;
  }

  /** What frame `pfn` is used for. */
  frameUse(pfn: number): FrameUse {
    return FRAME_KIND_NAMES[this.k.frameTable.kind[pfn]];
  }

  /** PTEs that map user frame `pfn` (its reference count). */
  refcount(pfn: number): number {
    return this.k.frameTable.refcount[pfn];
  }

  /** Physical addresses of the PTEs that map user frame `pfn` (the reverse map). */
  mappings(pfn: number): number[] {
    return this.k.frameTable.mappingsOf(pfn);
  }

  /** The id of the address space whose page table holds the PTE at `pteAddr`. */
  spaceOfEntry(pteAddr: number): number {
    return this.k.frameTable.spaceOfPte(pteAddr);
  }

  /** The id of the address space whose page directory is at `pdPhys`, or -1. */
  spaceOfDirectory(pdPhys: number): number {
    const pfn = pdPhys >>> 12;
    return this.k.frameTable.kind[pfn] === FrameKind.PAGE_DIRECTORY ? this.k.frameTable.ownerSpace[pfn] : -1;
  }

  /** What boot put in frame `pfn`: its own page directory and tables, a multiboot payload, or neither. */
  bootOrigin(pfn: number): BootOrigin {
    const paging = this.boot.bootAlloc;
    if (pfn * 4096 < paging.end && (pfn + 1) * 4096 > paging.start) return "paging";
    return this.payload[pfn] === 1 ? "payload" : "none";
  }

  /** The swap slot frame `pfn` is a clean copy of (it is in the swap cache), or -1. */
  swapCacheSlot(pfn: number): number {
    return this.k.swap?.cache.slotOf(pfn) ?? -1;
  }

  /** The virtual address the PTE at `pteAddr` maps (its table's directory slot and its index). */
  vaOfEntry(pteAddr: number): number {
    return this.k.frameTable.vaOfPte(pteAddr);
  }

  /** Swap slots in use (named by PTEs), in order; none without swap. */
  slotsInUse(): number[] {
    const swap = this.k.swap;
    const out: number[] = [];
    if (swap === null) return out;
    for (let slot = 0; slot < swap.totalSlots; slot++) if (swap.references(slot) > 0) out.push(slot);
    return out;
  }

  /** PTEs naming swap slot `slot` (its reference count). */
  slotRefcount(slot: number): number {
    return this.k.swap?.references(slot) ?? 0;
  }

  /** The frame holding slot `slot`'s page in the swap cache, or -1. */
  swapCacheFrame(slot: number): number {
    return this.k.swap?.cache.frameOf(slot) ?? -1;
  }

  /** The entry at physical address `pteAddr`, as the kernel reads it. */
  entryAt(pteAddr: number): number {
    return this.k.memory.read32(pteAddr) >>> 0;
  }
}

/** A mark per frame touching any of the byte ranges [start, end). */
function framesOf(total: number, ranges: readonly { readonly start: number; readonly end: number }[]): Uint8Array {
  const marked = new Uint8Array(total);
  for (const r of ranges) {
    for (let pfn = Math.floor(r.start / 4096); pfn < Math.min(total, Math.ceil(r.end / 4096)); pfn++) marked[pfn] = 1;
  }
  return marked;
}
