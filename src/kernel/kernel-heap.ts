/**
 * Kernel page helpers (seed part 13): one page, free a page, a page-aligned
 * contiguous block. Kernel pages come from low memory (the frames the
 * KERNEL_BASE alias reaches) and are returned as kernel virtual addresses,
 * KERNEL_BASE + physical address, as in the seed.
 *
 * The seed's vmm_kfree_page freed any frame at or above KERNEL_BASE, so a
 * stray pointer could free the kernel's own page directory, a page table or
 * a user page, and the next allocation handed it out again. Here each page
 * these helpers hand out is marked in the frame table (`heap`), and only a
 * marked page is freed; anything else is refused, naming what the frame is.
 */

import { hex32 } from "../machine/i386.js";
import { FRAME_KIND_NAMES, FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_BASE } from "./layout.js";
import { allocKernelFrame } from "./page-frames.js";

/** What kfreePage did: the page was freed, or nothing changed and `reason` says why. */
export type KfreeResult = { readonly freed: true } | { readonly freed: false; readonly reason: string };

const FREED: KfreeResult = Object.freeze({ freed: true });

/** One kernel page (may evict user pages to get it); its kernel VA, or 0 when out of memory. */
export function kmallocPage(k: KernelState): number {
  const pfn = allocKernelFrame(k, FrameKind.KERNEL);
  if (pfn < 0) return 0;
  k.frameTable.heap[pfn] = 1;
  return KERNEL_BASE + pfn * 4096;
}

/** Frees a page from kmallocPage/kmallocAligned that is still allocated; refuses anything else. */
export function kfreePage(k: KernelState, va: number): KfreeResult {
  const refused = (why: string): KfreeResult => ({ freed: false, reason: `kfreePage(${hex32(va)}): ${why}; nothing freed` });
  if (!Number.isInteger(va) || va < KERNEL_BASE || va > 0xffffffff) return refused("not a kernel address");
  if (va % 4096 !== 0) return refused("not page-aligned");
  const pfn = (va - KERNEL_BASE) / 4096;
  if (pfn >= k.aliasFrames) return refused("beyond the kernel's RAM alias, where no kernel page is");
  if (k.frameTable.heap[pfn] === 0) return refused(`frame ${pfn} is ${describeFrame(k, pfn)}, not a page from kmallocPage or kmallocAligned`);
  k.releaseFrame(pfn);
  return FREED;
}

/** Physically contiguous, page-aligned block of `size` bytes (for DMA); its kernel VA, or 0. */
export function kmallocAligned(k: KernelState, size: number): number {
  if (!Number.isInteger(size) || size <= 0) return 0;
  const pages = Math.ceil(size / 4096);
  const first = k.frames.allocContiguous(pages, k.aliasFrames);
  if (first < 0) return 0;
  for (let pfn = first; pfn < first + pages; pfn++) {
    k.frameTable.setKind(pfn, FrameKind.KERNEL);
    k.frameTable.heap[pfn] = 1;
  }
  k.stat.pgalloc_normal += pages;
  return KERNEL_BASE + first * 4096;
}

/** What a frame that is not a kernel-heap page holds, for a refusal. */
function describeFrame(k: KernelState, pfn: number): string {
  const ft = k.frameTable;
  switch (ft.kind[pfn]) {
    case FrameKind.FREE:
      return "free (never handed out, or already freed)";
    case FrameKind.KERNEL:
      return pfn * 4096 === k.kernelSpace.pdPhys ? "the kernel page directory" : "a boot allocation (a kernel page table)";
    case FrameKind.PAGE_TABLE:
      return `a page table of address space ${ft.ownerSpace[pfn]}`;
    case FrameKind.PAGE_DIRECTORY:
      return `the page directory of address space ${ft.ownerSpace[pfn]}`;
    case FrameKind.USER:
      return "a user page";
    default:
      return FRAME_KIND_NAMES[ft.kind[pfn]];
  }
}
