/**
 * Fault counts through the whole VMM (TLB off, a user-frame limit) equal a
 * textbook simulator's on the same reference string: every first touch is a
 * fault, every re-reference of an evicted page a major fault.
 */

import { describe, expect, it } from "vitest";
import { ACCESS } from "../../src/machine/i386.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import type { PolicyName } from "../../src/kernel/replacement/index.js";
import { bootTestSystem, touch } from "./helpers.js";

/** Misses of FIFO, LRU or one-hand CLOCK whose faulting access sets the reference bit. */
function textbookFaults(policy: "fifo" | "lru" | "clock", refs: number[], frames: number): number {
  const resident: number[] = [];
  const bit = new Map<number, boolean>();
  let faults = 0;
  for (const page of refs) {
    const at = resident.indexOf(page);
    if (at >= 0) {
      if (policy === "lru") resident.push(...resident.splice(at, 1));
      bit.set(page, true);
      continue;
    }
    faults++;
    if (resident.length === frames) {
      if (policy === "clock") {
        while (bit.get(resident[0])) {
          bit.set(resident[0], false);
          resident.push(resident.shift()!);
        }
      }
      bit.delete(resident.shift()!);
    }
    resident.push(page);
    bit.set(page, true);
  }
  return faults;
}

function vmmFaults(policy: PolicyName, refs: number[], frames: number): { faults: number; major: number } {
  const sys = bootTestSystem({ policy, userFrameLimit: frames, tlb: "off", strict: false, checkInvariants: false, swapBytes: 4 * 1024 * 1024 });
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  sys.vmm.brk(as, USER_HEAP_BASE + 64 * 4096);
  for (const page of refs) {
    const pfn = touch(sys, USER_HEAP_BASE + page * 4096, ACCESS.USER_READ);
    if (typeof pfn !== "number") throw new Error(pfn.reason);
    if (sys.vmm.observesReferences) sys.vmm.noteReference(pfn);
  }
  return { faults: sys.vmm.stat.pgfault, major: sys.vmm.stat.pgmajfault };
}

describe("fault counts agree with textbook simulators", () => {
  let s = 2463534242;
  const refs = Array.from({ length: 3000 }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    // A skewed string: a hot set of 8 pages and a cold tail of 40.
    return s % 3 === 0 ? 8 + (s % 40) : s % 8;
  });
  const distinct = new Set(refs).size;
  for (const policy of ["fifo", "lru", "clock"] as const) {
    for (const frames of [4, 10, 24]) {
      it(`${policy} with ${frames} frames`, () => {
        const expected = textbookFaults(policy, refs, frames);
        const got = vmmFaults(policy, refs, frames);
        expect(got.faults).toBe(expected);
        expect(got.major).toBe(expected - distinct);
      });
    }
  }
});
