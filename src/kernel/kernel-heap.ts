/**
 * Kernel page helpers (seed part 13): one page, free a page, a page-aligned
 * contiguous block. Kernel pages come from low memory (the frames the
 * KERNEL_BASE alias reaches) and are returned as kernel virtual addresses,
 * KERNEL_BASE + physical address, as in the seed.
 */

import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_BASE } from "./layout.js";
import { allocKernelFrame } from "./page-frames.js";

/** One kernel page (may evict user pages to get it); its kernel VA, or 0 when out of memory. */
export function kmallocPage(k: KernelState): number {
  const pfn = allocKernelFrame(k, FrameKind.KERNEL);
  return pfn < 0 ? 0 : KERNEL_BASE + pfn * 4096;
}

/**
 * Frees a page from kmallocPage/kmallocAligned. Unlike the seed, which
 * freed any frame at or above 1 MiB, only a kernel-heap page is freed:
 * a stray pointer cannot free a page table or a user page.
 */
export function kfreePage(k: KernelState, va: number): void {
  if (va < KERNEL_BASE || va % 4096 !== 0) return;
  const pfn = (va - KERNEL_BASE) / 4096;
  if (pfn >= k.aliasFrames || k.frameTable.kind[pfn] !== FrameKind.KERNEL) return;
  k.releaseFrame(pfn);
}

/** Physically contiguous, page-aligned block of `size` bytes (for DMA); its kernel VA, or 0. */
export function kmallocAligned(k: KernelState, size: number): number {
  if (!Number.isInteger(size) || size <= 0) return 0;
  const pages = Math.ceil(size / 4096);
  const first = k.frames.allocContiguous(pages, k.aliasFrames);
  if (first < 0) return 0;
  for (let pfn = first; pfn < first + pages; pfn++) k.frameTable.setKind(pfn, FrameKind.KERNEL);
  k.stat.pgalloc_normal += pages;
  return KERNEL_BASE + first * 4096;
}
