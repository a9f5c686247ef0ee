/**
 * Boot (seed part 3, `vmm_init` + `vmm_enable_paging`), from the multiboot
 * information in simulated memory:
 *
 *  1. frame allocator sized from detected RAM (capped at maxTrackedRamBytes);
 *     the first 1 MiB and the kernel image reserved; unlike the seed, every
 *     frame the memory map does not report as available is reserved too;
 *  2. every multiboot payload reserved (structure, map, command lines,
 *     module list, modules);
 *  3. an early bump allocator placed above the kernel and every payload;
 *  4. the kernel page directory; all RAM identity-mapped at 0 and again at
 *     KERNEL_BASE with separate page tables, clamped to 254 directory slots
 *     (1016 MiB); the kernel's slot 768 checked;
 *  5. the framebuffer mapped uncached (PCD|PWT) in 4 MiB steps, never over
 *     slot 1023 and never over a slot already in use;
 *  6. recursive slot 1023; the null page unmapped; kernel text read-only;
 *  7. paging on: CR3, then CR0.PG (and CR0.WP where the CPU has it).
 *
 * RAM above the alias (more than 1016 MiB) is tracked and given to user pages
 * only: the kernel keeps its page tables and heap in the frames its alias
 * reaches ("low memory"), as Linux did with HIGHMEM.
 */

import { InputError } from "../machine/input-error.js";
import { CR0, PTE, hex32 } from "../machine/i386.js";
import type { Mmu } from "../machine/mmu.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import { type BootInfo, detectedRamBytes, isAvailableFrame, readBootInfo } from "./boot-info.js";
import { FrameAllocator } from "./frame-allocator.js";
import { FrameKind, FrameTable } from "./frame-table.js";
import { KERNEL_PD_INDEX, RECURSIVE_PD_INDEX } from "./layout.js";

/** Directory slots of the KERNEL_BASE alias: 768..1021, leaving 1022 spare and 1023 recursive (as the seed). */
export const MAX_ALIAS_SLOTS = 254;
/** The seed always maps at least 16 MiB (4 slots). */
const MIN_ALIAS_SLOTS = 4;
const LOW_MEMORY_FRAMES = 256;
const FRAMES_PER_SLOT = 1024;

/** What the boot code needs of the machine (src/machine/machine.ts's Machine satisfies it). */
export interface KernelHardware {
  readonly memory: PhysicalMemory;
  readonly mmu: Mmu;
  /** Physical address of the multiboot information (EBX at kernel entry). */
  readonly bootInfoAddress: number;
  /** Physical placement of the kernel image: [textStart, textEnd) is code, `end` is `__kernel_end`. */
  readonly kernelImage: { readonly textStart: number; readonly textEnd: number; readonly end: number };
}

/** A machine the kernel cannot boot on: the message says why. */
export class BootError extends InputError {
  override name = "BootError";
}

export interface BootResult {
  readonly info: BootInfo;
  readonly detectedRamBytes: number;
  readonly frames: FrameAllocator;
  readonly frameTable: FrameTable;
  readonly kernelPdPhys: number;
  /** Frames below this are reached through the KERNEL_BASE alias. */
  readonly aliasFrames: number;
  /** [start, end) of the early bump allocations (page directory and tables). */
  readonly bootAlloc: { readonly start: number; readonly end: number };
  /** Things the seed printed as warnings (framebuffer not mapped, ...). */
  readonly warnings: readonly string[];
}

/** vmm_init + vmm_enable_paging; throws BootError when the machine cannot be booted. */
export function bootKernel(hw: KernelHardware, maxTrackedRamBytes = Infinity): BootResult {
  const memory = hw.memory;
  const info = readBootInfo(memory, hw.bootInfoAddress);
  const ram = detectedRamBytes(info);
  if (ram <= hw.kernelImage.end) {
    throw new BootError(
      `detected RAM ends at ${hex32(ram)}, leaving nothing above the kernel image (which ends at ${hex32(hw.kernelImage.end)}): too little RAM, or no memory information`,
    );
  }
  const ramFrames = ram / 4096;
  const totalFrames = Math.min(ramFrames, Math.floor(maxTrackedRamBytes / 4096));
  const frames = new FrameAllocator(totalFrames);
  const frameTable = new FrameTable(totalFrames);
  const reserve = (pfn: number): void => {
    if (frames.reserve(pfn)) frameTable.kind[pfn] = FrameKind.RESERVED;
  };
  for (let pfn = 0; pfn < LOW_MEMORY_FRAMES; pfn++) reserve(pfn);
  for (let pfn = hw.kernelImage.textStart >>> 12; pfn < Math.ceil(hw.kernelImage.end / 4096); pfn++) reserve(pfn);
  for (let pfn = 0; pfn < totalFrames; pfn++) if (!isAvailableFrame(info.memoryMap, pfn)) reserve(pfn);
  for (const p of info.payloads) for (const pfn of frames.reserveBytes(p.start, p.end)) frameTable.kind[pfn] = FrameKind.RESERVED;

  const aliasSlots = Math.min(MAX_ALIAS_SLOTS, Math.max(MIN_ALIAS_SLOTS, Math.ceil(ram / (4 * 1024 * 1024))));
  const aliasFrames = Math.min(totalFrames, aliasSlots * FRAMES_PER_SLOT);
  const early = new EarlyAllocator(memory, frames, frameTable, bootAllocBase(hw, info), aliasFrames);
  const pd = early.alloc() * 4096;
  const warnings: string[] = [];

  mapRamTwice(memory, early, pd, aliasSlots, ramFrames, hw.kernelImage);
  if ((memory.read32(pd + KERNEL_PD_INDEX * 4) & PTE.PRESENT) === 0) throw new BootError("kernel directory slot 768 is not present");
  mapFramebuffer(memory, early, pd, info, warnings);
  memory.write32(pd + RECURSIVE_PD_INDEX * 4, pd | PTE.PRESENT | PTE.RW);
  const pt0 = memory.read32(pd) & ~0xfff;
  memory.write32(pt0, 0); // null page: dereferencing 0 faults

  hw.mmu.loadCr3(pd);
  hw.mmu.setCr0(hw.mmu.cr0 | CR0.PG | (hw.mmu.model.hasWp ? CR0.WP : 0));
  return {
    info,
    detectedRamBytes: ram,
    frames,
    frameTable,
    kernelPdPhys: pd,
    aliasFrames,
    bootAlloc: { start: early.start * 4096, end: early.next * 4096 },
    warnings,
  };
}

/** First page above the kernel image and every multiboot payload (seed's compute_boot_alloc_base). */
function bootAllocBase(hw: KernelHardware, info: BootInfo): number {
  let end = hw.kernelImage.end;
  for (const p of info.payloads) end = Math.max(end, p.end);
  return Math.ceil(end / 4096);
}

/** The seed's early_alloc: a bump allocator of zeroed, reserved pages that steps over used frames. */
class EarlyAllocator {
  readonly start: number;
  next: number;
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly frames: FrameAllocator,
    private readonly frameTable: FrameTable,
    start: number,
    private readonly limit: number,
  ) {
    this.start = start;
    this.next = start;
  }

  alloc(): number {
    while (this.next < this.limit && this.frames.isUsed(this.next)) this.next++;
    if (this.next >= this.limit) throw new BootError(`out of low memory for boot page tables at frame ${this.next}`);
    const pfn = this.next++;
    this.frames.reserve(pfn);
    this.frameTable.kind[pfn] = FrameKind.KERNEL;
    this.memory.zeroFrame(pfn);
    return pfn;
  }
}

/** Identity map of RAM at 0 and at KERNEL_BASE, separate tables, kernel text read-only. */
function mapRamTwice(
  memory: PhysicalMemory,
  early: EarlyAllocator,
  pd: number,
  slots: number,
  ramFrames: number,
  image: KernelHardware["kernelImage"],
): void {
  const textFirst = image.textStart >>> 12;
  const textEnd = Math.ceil(image.textEnd / 4096);
  for (let pdi = 0; pdi < slots; pdi++) {
    const low = early.alloc() * 4096;
    const high = early.alloc() * 4096;
    for (let pti = 0; pti < FRAMES_PER_SLOT; pti++) {
      const pfn = pdi * FRAMES_PER_SLOT + pti;
      if (pfn >= ramFrames) break;
      const rights = pfn >= textFirst && pfn < textEnd ? PTE.PRESENT : PTE.PRESENT | PTE.RW;
      memory.write32(low + pti * 4, (pfn << 12) | rights);
      memory.write32(high + pti * 4, (pfn << 12) | rights);
    }
    memory.write32(pd + pdi * 4, low | PTE.PRESENT | PTE.RW);
    memory.write32(pd + (KERNEL_PD_INDEX + pdi) * 4, high | PTE.PRESENT | PTE.RW);
  }
}

/**
 * Framebuffer identity-mapped uncached in 4 MiB steps (seed), skipping slot
 * 1023 and slots in use. Unlike the seed, whose 32-bit arithmetic truncated
 * an address at or above 4 GiB (mapping whatever sits at the truncated one)
 * and wrapped the end of a framebuffer reaching slot 1023 (mapping none of
 * it), such an address is left unmapped and the slots below 1023 are mapped,
 * each case with a warning.
 */
function mapFramebuffer(memory: PhysicalMemory, early: EarlyAllocator, pd: number, info: BootInfo, warnings: string[]): void {
  const fb = info.framebuffer;
  if (fb === null) return;
  if (fb.addr >= 2 ** 32) {
    warnings.push(`framebuffer at 0x${fb.addr.toString(16)} is above 4 GiB, out of a 32-bit kernel's reach: not mapped`);
    return;
  }
  const size = Math.imul(fb.pitch, fb.height) >>> 0 || 4 * 1024 * 1024; // the seed's 32-bit product
  const first = Math.floor(fb.addr / (4 * 1024 * 1024));
  const last = Math.min(1024, Math.ceil((fb.addr + size) / (4 * 1024 * 1024)));
  for (let pdi = first; pdi < last; pdi++) {
    if (pdi === RECURSIVE_PD_INDEX) {
      warnings.push("framebuffer overlaps the recursive directory slot 1023: that part is not mapped");
      continue;
    }
    if ((memory.read32(pd + pdi * 4) & PTE.PRESENT) !== 0) {
      warnings.push(`framebuffer slot ${pdi} is already used by the RAM alias: that part is not mapped`);
      continue;
    }
    const pt = early.alloc() * 4096;
    for (let pti = 0; pti < FRAMES_PER_SLOT; pti++) {
      memory.write32(pt + pti * 4, ((pdi * FRAMES_PER_SLOT + pti) << 12) | PTE.PRESENT | PTE.RW | PTE.PCD | PTE.PWT);
    }
    memory.write32(pd + pdi * 4, pt | PTE.PRESENT | PTE.RW);
  }
}
