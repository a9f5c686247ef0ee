/**
 * The kernel's side of the modern policies: shadow entries kept with the
 * swap slots and handed back on refault, the vmstat counters under their
 * Linux names, and MGLRU's aging walk over the page tables (Accessed bits of
 * PTEs and directory entries cleared, TLB entries dropped, strict TLB mode
 * and the invariant checker satisfied).
 */
import { describe, expect, it } from "vitest";
import { ACCESS, PTE } from "../../src/machine/i386.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import type { MglruPolicy } from "../../src/kernel/replacement/mglru.js";
import type { CpuName } from "../../src/machine/cpu-model.js";
import { bootTestSystem, expectHealthy, read32, spawnWithHeap, touch, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

const spawn = spawnWithHeap;

describe("shadow entries live with the swap slots", () => {
  it("linux: an evicted page's slot keeps the non-resident age; the refault reads and clears it", () => {
    const sys = bootTestSystem({ policy: "linux", userFrameLimit: 4 });
    const as = spawn(sys, 5);
    for (let i = 0; i < 5; i++) write32(sys, HEAP + i * 4096, i);
    // Page 4's fault evicts page 0 (every page had its first trip): age 0 -> shadow 0, age 1.
    const slot0 = sys.vmm.entryOf(as, HEAP) >>> 12;
    expect(sys.vmm.swapShadow(slot0)).toBe(0);
    // Reading page 0 evicts page 1 (PG_referenced, no longer accessed): shadow 1·2, age 2. Then
    // the refault of page 0: distance 2 - 0 > 0 active pages, so it stays inactive.
    expect(read32(sys, HEAP)).toBe(0);
    const slot1 = sys.vmm.entryOf(as, HEAP + 4096) >>> 12;
    expect(sys.vmm.swapShadow(slot1)).toBe(2);
    expect(sys.vmm.stat).toMatchObject({
      pswpout: 2,
      pswpin: 1,
      workingset_refault_anon: 1,
      workingset_activate_anon: 0,
      workingset_restore_anon: 0,
      pgactivate: 0,
      pgdeactivate: 0,
    });
    expectHealthy(sys);
  });

  it("keeps the working-set counters out of vmstat for a policy without lists or shadows", () => {
    const sys = bootTestSystem({ policy: "clock", userFrameLimit: 4 });
    spawn(sys, 5);
    for (let i = 0; i < 5; i++) write32(sys, HEAP + i * 4096, i);
    expect(Object.keys(sys.vmm.stat)).not.toContain("workingset_refault_anon");
    expect(Object.keys(sys.vmm.stat)).not.toContain("pgactivate");
    expect(sys.vmm.swapShadow(0)).toBe(-1);
    expect(sys.vmm.policyLists()).toBeNull();
  });

  it("mglru: a refault of a page evicted from the current oldest generation is restored to the youngest", () => {
    const sys = bootTestSystem({ policy: "mglru", userFrameLimit: 4 });
    spawn(sys, 5);
    for (let i = 0; i < 5; i++) write32(sys, HEAP + i * 4096, i);
    const policy = sys.vmm.policy as MglruPolicy;
    // Page 4's fault: generations 0..1 retire, two agings (max_seq 5), page 0 evicted from generation 3.
    expect([policy.minSeq, policy.maxSeq]).toEqual([3, 5]);
    // Its refault evicts page 1 from generation 3 too: still the oldest, so page 0 is recent.
    expect(read32(sys, HEAP)).toBe(0);
    expect(sys.vmm.stat).toMatchObject({ workingset_refault_anon: 1, workingset_activate_anon: 1, workingset_restore_anon: 1 });
    const frame0 = sys.vmm.virtToPhys(sys.vmm.current, HEAP) >>> 12;
    expect(policy.generationOf(frame0)).toBe(policy.maxSeq);
    expectHealthy(sys);
  });
});

describe("MGLRU's aging walk (harvestReferenced)", () => {
  for (const cpu of ["i386", "i486"] as CpuName[]) {
    it(`${cpu}: clears the Accessed bits of the PTEs and directory entries it walks, and the next use sets them again`, () => {
      const sys = bootTestSystem({ policy: "mglru", userFrameLimit: 8, cpu });
      const as = spawn(sys, 4);
      for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, i);
      const pdeAddr = as.pdPhys + (HEAP >>> 22) * 4;
      expect(sys.machine.memory.read32(pdeAddr) & PTE.ACCESSED).toBe(PTE.ACCESSED);
      // One eviction ages twice (see the policy's tests): the first walk finds all four referenced.
      expect(sys.vmm.reclaim(1)).toBe(1);
      expect(sys.machine.memory.read32(pdeAddr) & PTE.ACCESSED).toBe(0);
      for (let i = 1; i < 4; i++) expect(sys.vmm.entryOf(as, HEAP + i * 4096) & PTE.ACCESSED).toBe(0);
      // The TLB entries went with the bits: the next read walks and sets both again.
      touch(sys, HEAP + 2 * 4096, ACCESS.USER_READ);
      expect(sys.vmm.entryOf(as, HEAP + 2 * 4096) & PTE.ACCESSED).toBe(PTE.ACCESSED);
      expect(sys.machine.memory.read32(pdeAddr) & PTE.ACCESSED).toBe(PTE.ACCESSED);
      expectHealthy(sys);
    });
  }

  it("reports a page shared by fork once per mapping, and skips a table whose directory entry was not accessed since the last walk", () => {
    const sys = bootTestSystem({ policy: "mglru", userFrameLimit: 8 });
    const parent = spawn(sys, 2);
    write32(sys, HEAP, 1);
    write32(sys, HEAP + 4096, 2);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    const seen: number[] = [];
    const sink = { referencedFrame: (pfn: number) => seen.push(pfn) };
    const host = (sys.vmm as unknown as { k: { harvestReferenced(s: typeof sink): void } }).k;
    const frame0 = sys.vmm.virtToPhys(parent, HEAP) >>> 12;
    const frame1 = sys.vmm.virtToPhys(parent, HEAP + 4096) >>> 12;
    host.harvestReferenced(sink);
    expect(seen).toEqual([frame0, frame1, frame0, frame1]); // the parent's table, then the child's
    seen.length = 0;
    host.harvestReferenced(sink);
    expect(seen).toEqual([]);
    // Only the child uses page 0; an Accessed bit planted in the parent's table (no walk went
    // through its directory entry since) is not looked at.
    sys.vmm.switchAddressSpace(child);
    read32(sys, HEAP);
    const parentPte = sys.machine.memory.read32(parent.pdPhys + (HEAP >>> 22) * 4) & ~0xfff;
    sys.machine.memory.write32(parentPte + 4, sys.machine.memory.read32(parentPte + 4) | PTE.ACCESSED);
    host.harvestReferenced(sink);
    expect(seen).toEqual([frame0]);
    expect(sys.vmm.entryOf(parent, HEAP + 4096) & PTE.ACCESSED).toBe(PTE.ACCESSED);
  });
});
