/**
 * A tiny CPU for kernel tests: translate through the machine's MMU, call the
 * fault handler on FAULT, retry once resolved; read and write real bytes in
 * physical memory. Machines are small and run with strict TLB checking, so
 * any missing invalidation shows up as a violation.
 */

import { expect } from "vitest";
import { ACCESS } from "../../src/machine/i386.js";
import { FAULT } from "../../src/machine/mmu.js";
import { type Machine, createMachine } from "../../src/machine/machine.js";
import type { CpuName, TlbChoice } from "../../src/machine/cpu-model.js";
import { createMemorySwapDisk } from "../../src/machine/disk-image.js";
import { FaultyBlockDevice } from "../../src/machine/faulty-block-device.js";
import type { BlockDevice } from "../../src/machine/block-device.js";
import { type AddressSpace, type FaultOutcome, Vmm, type VmmOptions } from "../../src/kernel/vmm.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";

/** A fault outcome that stops the access: the process is killed or the kernel panics. */
export type Failure = Exclude<FaultOutcome, { kind: "resolved" }>;


export const MIB = 1024 * 1024;

export interface TestSystem {
  machine: Machine;
  vmm: Vmm;
  disk: FaultyBlockDevice | null;
}

export interface TestSystemOptions extends Omit<VmmOptions, "swap"> {
  ramBytes?: number;
  cpu?: CpuName;
  swapBytes?: number | null;
  strict?: boolean;
  tlb?: TlbChoice;
  kernel?: { textStart: number; textEnd: number; end: number };
  reservedRanges?: { base: number; length: number }[];
  framebuffer?: { addr: number; width: number; height: number; pitch: number; bpp: number };
  modules?: { name: string; data: Uint8Array }[];
}

/** Boots a small machine (default 4 MiB, i486, strict TLB, 4 MiB of swap, invariants checked). */
export function bootTestSystem(options: TestSystemOptions = {}): TestSystem {
  const machine = createMachine({
    ramBytes: options.ramBytes ?? 4 * MIB,
    cpu: options.cpu ?? "i486",
    strictTlb: options.strict ?? true,
    tlb: options.tlb,
    kernel: options.kernel,
    reservedRanges: options.reservedRanges,
    framebuffer: options.framebuffer,
    modules: options.modules,
  });
  let disk: FaultyBlockDevice | null = null;
  const swapBytes = options.swapBytes === undefined ? 4 * MIB : options.swapBytes;
  if (swapBytes !== null) {
    const made = createMemorySwapDisk({ sizeBytes: swapBytes + 2 * MIB, swapBytes });
    disk = new FaultyBlockDevice(made.device as BlockDevice);
  }
  const vmm = Vmm.boot(machine, { checkInvariants: true, ...options, swap: disk });
  return { machine, vmm, disk };
}

/** A new address space, made current, with a heap of `heapPages` pages from USER_HEAP_BASE. */
export function spawnWithHeap(sys: TestSystem, heapPages: number): AddressSpace {
  const as = sys.vmm.createAddressSpace();
  if (as === null) throw new Error("no memory for an address space");
  sys.vmm.switchAddressSpace(as);
  expect(sys.vmm.brk(as, USER_HEAP_BASE + heapPages * 4096)).toBe(true);
  return as;
}

/** One access of `kind` at `va` by the current space: the frame, or the fault outcome that stopped it. */
export function touch(sys: TestSystem, va: number, kind: number): number | Failure {
  const mmu = sys.machine.mmu;
  for (let attempt = 0; attempt < 4; attempt++) {
    const pfn = mmu.translate(va >>> 0, kind);
    if (pfn !== FAULT) return pfn;
    const outcome = sys.vmm.handlePageFault(mmu.errorCode, mmu.cr2);
    if (outcome.kind !== "resolved") return outcome;
  }
  throw new Error(`access to 0x${(va >>> 0).toString(16)} faulted four times in a row`);
}

/** User write of a 32-bit word (aligned); throws if the process would be killed. */
export function write32(sys: TestSystem, va: number, value: number): void {
  const pfn = touch(sys, va, ACCESS.USER_WRITE);
  if (typeof pfn !== "number") throw new Error(`write to 0x${(va >>> 0).toString(16)}: ${pfn.kind}: ${pfn.reason}`);
  sys.machine.memory.write32(pfn * 4096 + (va & 0xfff), value);
}

/** User read of a 32-bit word (aligned); throws if the process would be killed. */
export function read32(sys: TestSystem, va: number): number {
  const pfn = touch(sys, va, ACCESS.USER_READ);
  if (typeof pfn !== "number") throw new Error(`read of 0x${(va >>> 0).toString(16)}: ${pfn.kind}: ${pfn.reason}`);
  return sys.machine.memory.read32(pfn * 4096 + (va & 0xfff));
}

/** The outcome of a user access expected to fail. */
export function failingAccess(sys: TestSystem, va: number, kind: number): Failure {
  const r = touch(sys, va, kind);
  if (typeof r === "number") throw new Error(`access to 0x${(va >>> 0).toString(16)} succeeded`);
  return r;
}

/** Kernel copy-out: pre-fault each page then write bytes through its physical frame. */
export function copyOut(sys: TestSystem, va: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const pageEnd = Math.min(bytes.length, i + 4096 - ((va + i) & 0xfff));
    if (!sys.vmm.faultInUserWrite(va + i, pageEnd - i)) return false;
    const pa = sys.vmm.virtToPhys(sys.vmm.current, va + i);
    for (let j = i; j < pageEnd; j++) sys.machine.memory.write8(pa + (j - i), bytes[j]);
    i = pageEnd;
  }
  return true;
}

/** Strict TLB mode found no stale entry; the invariant checker finds nothing. */
export function expectHealthy(sys: TestSystem): void {
  expect(sys.machine.mmu.strictViolations).toEqual([]);
  expect(sys.vmm.checkInvariants()).toEqual([]);
}
