/**
 * The kernel's event log: with a sink attached, every fault says which rung
 * of the ladder decided it and every eviction which frame went to which
 * slot; with none, nothing changes (the counters are the same either way).
 */

import { describe, expect, it } from "vitest";
import { USER_HEAP_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { KPTE } from "../../src/kernel/pte.js";
import type { KernelEvent } from "../../src/kernel/kernel-events.js";
import { ACCESS, PTE } from "../../src/machine/i386.js";
import { bootTestSystem, expectHealthy, failingAccess, read32, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

function logged() {
  const sys = bootTestSystem({ userFrameLimit: 2 });
  const events: KernelEvent[] = [];
  sys.vmm.events = { event: (e) => events.push(e) };
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  sys.vmm.brk(as, HEAP + 8 * 4096);
  return { sys, as, events };
}

describe("kernel event log", () => {
  it("names the rung that decided each fault, with the entry before and after", () => {
    const { sys, as, events } = logged();
    write32(sys, HEAP, 1); // brk made a DEMAND entry
    write32(sys, USER_STACK_TOP - 4, 2); // stack growth
    const child = sys.vmm.cloneAddressSpace(as)!;
    write32(sys, HEAP, 3); // COW in the parent
    sys.vmm.switchAddressSpace(child);
    expect(failingAccess(sys, 0x10, ACCESS.USER_READ)).toBeDefined(); // unmapped: segv
    const faults = events.filter((e) => e.type === "fault");
    expect(faults.map((f) => f.decision)).toEqual(["demand-zero", "stack", "cow", "segv"]);
    expect(faults[0]).toMatchObject({ spaceId: as.id, va: HEAP });
    expect(faults[0].entryBefore & (KPTE.DEMAND | PTE.PRESENT)).toBe(KPTE.DEMAND);
    expect(faults[0].entryAfter & PTE.PRESENT).toBe(PTE.PRESENT);
    expect(faults[3].reason).toMatch(/unmapped address 0x00000010/);
    expectHealthy(sys);
  });

  it("tells each eviction's frame, slot and mappings before a swap-in brings the page back", () => {
    const { sys, as, events } = logged();
    for (let i = 0; i < 3; i++) write32(sys, HEAP + i * 4096, i + 10); // limit 2: the third evicts one
    const evict = events.find((e) => e.type === "evict");
    expect(evict).toMatchObject({ type: "evict", clean: false, mappings: [{ spaceId: as.id, va: HEAP }] });
    expect(read32(sys, HEAP)).toBe(10);
    const last = events.filter((e) => e.type === "fault").at(-1);
    expect(last).toMatchObject({ decision: "swap-in", va: HEAP });
    expect(last!.entryBefore >>> 12).toBe(evict!.type === "evict" ? evict!.slot : -1);
  });

  it("changes nothing the kernel counts when switched off", () => {
    const on = logged();
    const off = bootTestSystem({ userFrameLimit: 2 });
    const as = off.vmm.createAddressSpace()!;
    off.vmm.switchAddressSpace(as);
    off.vmm.brk(as, HEAP + 8 * 4096);
    for (const sys of [on.sys, off]) for (let i = 0; i < 6; i++) write32(sys, HEAP + (i % 4) * 4096, i);
    expect(on.sys.vmm.stat).toEqual(off.vmm.stat);
    expect(on.sys.vmm.faults).toEqual(off.vmm.faults);
  });
});
