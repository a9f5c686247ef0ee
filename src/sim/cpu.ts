/**
 * The CPU's side of a memory access, as the kernel's clients see it: the
 * linear address goes through the MMU; a #PF goes to the kernel's handler
 * and the access is retried once the fault is resolved, as the CPU restarts
 * the faulting instruction; the data moves at pfn*4096+offset in physical
 * memory. An access that straddles two pages translates both (and, like the
 * restarted instruction, again if resolving the second evicted the first).
 *
 * Hot path: no allocation, no closures, no exceptions. A fault the kernel
 * cannot resolve is a value: the call returns false / DEAD and the details
 * wait in `fault*` fields for the System to turn into a FaultReport.
 */

import { FAULT, type Mmu } from "../machine/mmu.js";
import { PAGE_SHIFT, PAGE_OFFSET_MASK } from "../machine/i386.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import type { Vmm } from "../kernel/vmm.js";

/** Returned by `translate` when the access cannot complete (the process dies or the kernel panics). */
export const DEAD = -1;

/** Why a straddling access died when its two pages could not be resident together (memory too small). */
export const STRADDLE_LIVELOCK = "the two pages of a straddling access keep evicting each other";

/** Faults one access may take before we call it a kernel bug (swap-in then COW is two). */
const MAX_FAULTS_PER_ACCESS = 4;
/** Restarts of a straddling access whose halves keep evicting each other. */
const MAX_STRADDLE_RESTARTS = 8;

export class UserCpu {
  private readonly memory: PhysicalMemory;
  private readonly mmu: Mmu;
  private readonly vmm: Vmm;
  /** The policy sees every reference (LRU, ARC...): tell the kernel about each one. */
  private readonly observesReferences: boolean;

  /** Page references that completed (a straddling access makes two). */
  references = 0;
  /** Details of the last fault the kernel did not resolve. */
  faultAddress = 0;
  faultErrorCode = 0;
  faultReason = "";
  /** The last unresolved fault was a supervisor fault: the kernel panicked. */
  faultPanic = false;

  /** Frames of the two halves of the last `translateSpan` (equal when it did not straddle). */
  private pfnLow = 0;
  private pfnHigh = 0;

  constructor(memory: PhysicalMemory, mmu: Mmu, vmm: Vmm, observesReferences: boolean) {
    this.memory = memory;
    this.mmu = mmu;
    this.vmm = vmm;
    this.observesReferences = observesReferences;
  }

  /** The frame `va` maps to for an access of `kind` (PF W|U bits), faulting pages in; DEAD if it cannot. */
  translate(va: number, kind: number): number {
    for (let faults = 0; faults <= MAX_FAULTS_PER_ACCESS; faults++) {
      const pfn = this.mmu.translate(va, kind);
      if (pfn !== FAULT) {
        this.references++;
        // After a fault the kernel has just inserted the page: the retried
        // access is that same reference, not a second one (ARC, SIEVE and
        // S3-FIFO would otherwise promote every new page at once).
        if (this.observesReferences && faults === 0) this.vmm.noteReference(pfn);
        return pfn;
      }
      if (faults === MAX_FAULTS_PER_ACCESS) break;
      const outcome = this.vmm.handlePageFault(this.mmu.errorCode, this.mmu.cr2);
      if (outcome.kind !== "resolved") {
        return this.unresolved(this.mmu.cr2, this.mmu.errorCode, outcome.reason, outcome.kind === "panic");
      }
    }
    return this.unresolved(va, this.mmu.errorCode, "the kernel resolved the fault but the access faults again", false);
  }

  /** Translates both pages of [va, va+size) into pfnLow/pfnHigh; false if the access cannot complete. */
  private translateSpan(va: number, size: number, kind: number): boolean {
    const last = (va + size - 1) >>> 0;
    if ((va ^ last) >>> PAGE_SHIFT === 0) {
      const pfn = this.translate(va, kind);
      this.pfnLow = pfn;
      this.pfnHigh = pfn;
      return pfn !== DEAD;
    }
    for (let restart = 0; restart < MAX_STRADDLE_RESTARTS; restart++) {
      const low = this.translate(va, kind);
      if (low === DEAD) return false;
      const high = this.translate(last, kind);
      if (high === DEAD) return false;
      // Resolving the high half may have evicted the low one: restart, as the CPU would.
      if (this.mmu.translate(va, kind) === low) {
        this.pfnLow = low;
        this.pfnHigh = high;
        return true;
      }
    }
    this.unresolved(va, kind, STRADDLE_LIVELOCK, false);
    return false;
  }

  /**
   * A data-less access of `size` bytes (trace replay): both pages of a
   * straddle are touched; a block longer than a page touches each of its pages.
   */
  access(va: number, size: number, kind: number): boolean {
    if (size <= 4096) return this.translateSpan(va, size, kind);
    const end = va + size;
    for (let page = va - (va & PAGE_OFFSET_MASK); page < end; page += 4096) {
      if (this.translate((page < va ? va : page) >>> 0, kind) === DEAD) return false;
    }
    return true;
  }

  /** The byte at `va`, or DEAD if the access cannot complete. */
  read8(va: number, kind: number): number {
    const pfn = this.translate(va, kind);
    if (pfn === DEAD) return DEAD;
    return this.memory.read8(pfn * 4096 + (va & PAGE_OFFSET_MASK));
  }

  /** Writes the byte `value` at `va`; false if the access cannot complete. */
  write8(va: number, value: number, kind: number): boolean {
    const pfn = this.translate(va, kind);
    if (pfn === DEAD) return false;
    this.memory.write8(pfn * 4096 + (va & PAGE_OFFSET_MASK), value);
    return true;
  }

  /**
   * Reads the little-endian 32-bit word at `va` (signed) into `word`; false
   * if the access cannot complete. A word across a page boundary reads both frames.
   */
  read32(va: number, kind: number): boolean {
    if (!this.translateSpan(va, 4, kind)) return false;
    const off = va & PAGE_OFFSET_MASK;
    if (this.pfnLow === this.pfnHigh && off <= 4092) {
      this.word = this.memory.read32(this.pfnLow * 4096 + off);
      return true;
    }
    let v = 0;
    for (let i = 3; i >= 0; i--) v = (v << 8) | this.memory.read8(this.byteAddress(off + i));
    this.word = v | 0;
    return true;
  }

  /** The word of the last successful `read32`. */
  word = 0;

  /** Writes the little-endian 32-bit `value` at `va`; false if the access cannot complete. */
  write32(va: number, value: number, kind: number): boolean {
    if (!this.translateSpan(va, 4, kind)) return false;
    const off = va & PAGE_OFFSET_MASK;
    if (this.pfnLow === this.pfnHigh && off <= 4092) {
      this.memory.write32(this.pfnLow * 4096 + off, value);
      return true;
    }
    for (let i = 0; i < 4; i++) this.memory.write8(this.byteAddress(off + i), (value >>> (8 * i)) & 0xff);
    return true;
  }

  /** Copies [va, va+out.length) into `out`, page by page; false if some page cannot be read. */
  readBytes(va: number, out: Uint8Array, kind: number): boolean {
    let done = 0;
    while (done < out.length) {
      const a = (va + done) >>> 0;
      const pfn = this.translate(a, kind);
      if (pfn === DEAD) return false;
      const off = a & PAGE_OFFSET_MASK;
      const n = Math.min(4096 - off, out.length - done);
      for (let i = 0; i < n; i++) out[done + i] = this.memory.read8(pfn * 4096 + off + i);
      done += n;
    }
    return true;
  }

  /** Stores `bytes` at `va`, page by page; false if some page cannot be written (earlier pages keep the data). */
  writeBytes(va: number, bytes: Uint8Array, kind: number): boolean {
    let done = 0;
    while (done < bytes.length) {
      const a = (va + done) >>> 0;
      const pfn = this.translate(a, kind);
      if (pfn === DEAD) return false;
      const off = a & PAGE_OFFSET_MASK;
      const n = Math.min(4096 - off, bytes.length - done);
      for (let i = 0; i < n; i++) this.memory.write8(pfn * 4096 + off + i, bytes[done + i]);
      done += n;
    }
    return true;
  }

  /** Physical address of byte `off` (0..4098) of the last span: past 4095 it is in the high frame. */
  private byteAddress(off: number): number {
    return off < 4096 ? this.pfnLow * 4096 + off : this.pfnHigh * 4096 + (off - 4096);
  }

  private unresolved(address: number, errorCode: number, reason: string, panic: boolean): number {
    this.faultAddress = address >>> 0;
    this.faultErrorCode = errorCode;
    this.faultReason = reason;
    this.faultPanic = panic;
    return DEAD;
  }
}
