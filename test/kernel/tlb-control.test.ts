import { describe, expect, it } from "vitest";
import { CPU_MODELS } from "../../src/machine/cpu-model.js";
import { Mmu } from "../../src/machine/mmu.js";
import { PhysicalMemory } from "../../src/machine/physical-memory.js";
import { TlbControl } from "../../src/kernel/tlb-control.js";

function control(cpu: "i386" | "i486"): { tlb: TlbControl; mmu: Mmu } {
  const mmu = new Mmu(new PhysicalMemory(2 * 1024 * 1024), CPU_MODELS[cpu]);
  return { tlb: new TlbControl(mmu), mmu };
}

describe("TLB control", () => {
  it("invalidates a range page by page with INVLPG on a 486", () => {
    const { tlb, mmu } = control("i486");
    tlb.invalidateRange(0x40000ffc, 0x2008); // touches pages 0x40000, 0x40001, 0x40002, 0x40003
    expect(mmu.counters.invlpgs).toBe(4);
    expect(tlb.counts.fullFlushes).toBe(0);
  });

  it("falls back to one full flush when the range wraps past 4 GiB", () => {
    const { tlb } = control("i486");
    tlb.invalidateRange(0xfffff000, 0x2000);
    expect(tlb.counts.fullFlushes).toBe(1);
  });

  for (const [cpu, atOnce] of [["i486", 1], ["i386", 0]] as const) {
    it(`flushes for a wrapping range inside a bulk operation ${atOnce === 1 ? "at once on a 486, as the seed" : "at its end on an 80386"}`, () => {
      const { tlb } = control(cpu);
      tlb.deferBegin();
      tlb.invalidateRange(0xfffff000, 0x2000);
      expect(tlb.counts.fullFlushes).toBe(atOnce);
      tlb.deferEnd();
      expect(tlb.counts).toMatchObject({ fullFlushes: 1, deferredFlushes: 1 - atOnce });
    });
  }

  it("reloads CR3 for every invalidation on an 80386, once per deferred bulk operation", () => {
    const { tlb, mmu } = control("i386");
    mmu.loadCr3(0x5000);
    const reloads = mmu.counters.flushes;
    tlb.invalidatePage(0x1000);
    tlb.invalidateRange(0x2000, 0x8000);
    expect(mmu.counters.flushes - reloads).toBe(2);
    expect(mmu.cr3).toBe(0x5000);
    tlb.deferBegin();
    tlb.deferBegin();
    for (let i = 0; i < 10; i++) tlb.invalidatePage(i * 4096);
    tlb.deferEnd();
    expect(mmu.counters.flushes - reloads).toBe(2);
    tlb.deferEnd();
    expect(mmu.counters.flushes - reloads).toBe(3);
    tlb.deferEnd(); // unbalanced end: ignored
    expect(mmu.counters.flushes - reloads).toBe(3);
  });
});
