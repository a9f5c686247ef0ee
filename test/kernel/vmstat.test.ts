/**
 * The counters' names are a contract with anyone comparing a run with
 * Linux: `vmstat` holds only /proc/vmstat names, `vmm386` the rest. The key
 * sets are pinned so a rename or a new counter is a deliberate change here;
 * the Linux-named counters whose behaviour no other test pins are checked
 * below (pswpin/pswpout/pgmajfault: swap.test.ts; pgfault: vmm-basics.test.ts;
 * pgreuse: seed-defects.test.ts; pgsteal_proactive: swap-cache.test.ts).
 */

import { describe, expect, it } from "vitest";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { newVmStat, newVmm386Stat } from "../../src/kernel/vmstat.js";
import { bootTestSystem, expectHealthy, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

describe("counter names", () => {
  it("vmstat has exactly these /proc/vmstat names", () => {
    expect(Object.keys(newVmStat()).sort()).toEqual([
      "pgalloc_normal",
      "pgfault",
      "pgfree",
      "pgmajfault",
      "pgreuse",
      "pgscan_direct",
      "pgscan_proactive",
      "pgsteal_direct",
      "pgsteal_proactive",
      "pswpin",
      "pswpout",
    ]);
  });

  it("vmm386 has exactly these counters with no /proc/vmstat equivalent, none of them a vmstat name", () => {
    const names = Object.keys(newVmm386Stat());
    expect(names.sort()).toEqual(["alloc_failed", "cow_copy", "evict_failed", "spurious_fault", "swap_bad_slots", "swapcache_hit", "swapout_clean", "swpin_failed"]);
    for (const name of names) expect(newVmStat()).not.toHaveProperty(name);
  });
});

describe("allocation counters", () => {
  it("pgalloc_normal counts every frame taken (a contiguous block by its pages) and pgfree every frame given back", () => {
    const sys = bootTestSystem();
    const { pgalloc_normal: alloc0, pgfree: free0 } = sys.vmm.stat;
    const page = sys.vmm.kmallocPage();
    const block = sys.vmm.kmallocAligned(3 * 4096);
    expect(sys.vmm.stat.pgalloc_normal - alloc0).toBe(4);
    for (const va of [page, block, block + 4096, block + 8192]) sys.vmm.kfreePage(va);
    expect(sys.vmm.stat.pgfree - free0).toBe(4);
  });

  it("an address space's frames are all counted in pgalloc_normal, and in pgfree once it is destroyed", () => {
    const sys = bootTestSystem();
    const { pgalloc_normal: alloc0, pgfree: free0 } = sys.vmm.stat;
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.brk(as, HEAP + 3 * 4096)).toBe(true);
    for (let i = 0; i < 3; i++) write32(sys, HEAP + i * 4096, i);
    const allocated = sys.vmm.stat.pgalloc_normal - alloc0;
    expect(allocated).toBeGreaterThanOrEqual(5); // the directory, a page table, three pages
    sys.vmm.switchAddressSpace(sys.vmm.kernelSpace);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.stat.pgfree - free0).toBe(allocated);
  });
});

describe("reclaim counters", () => {
  it("evictions an allocation makes are direct reclaim; a victim whose write failed is scanned but not stolen", () => {
    const sys = bootTestSystem({ userFrameLimit: 8 });
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.brk(as, HEAP + 20 * 4096)).toBe(true);
    for (let i = 0; i < 8; i++) write32(sys, HEAP + i * 4096, i);
    expect(sys.vmm.stat).toMatchObject({ pgscan_direct: 0, pgsteal_direct: 0 });
    sys.disk!.failNthWrite(1);
    for (let i = 8; i < 20; i++) write32(sys, HEAP + i * 4096, i);
    expect(sys.vmm.stat).toMatchObject({ pgsteal_direct: 12, pgscan_direct: 13, pswpout: 12, pgsteal_proactive: 0, pgscan_proactive: 0 });
    expect(sys.vmm.vmm386.evict_failed).toBe(1);
    expect(sys.vmm.evictions).toBe(12);
    expectHealthy(sys);
  });

  it("Vmm.reclaim (memory.reclaim) is proactive reclaim, not direct", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.brk(as, HEAP + 4 * 4096)).toBe(true);
    for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, i);
    expect(sys.vmm.reclaim(3)).toBe(3);
    expect(sys.vmm.stat).toMatchObject({ pgscan_proactive: 3, pgsteal_proactive: 3, pgscan_direct: 0, pgsteal_direct: 0, pswpout: 3 });
    expect(sys.vmm.evictions).toBe(3);
    expectHealthy(sys);
  });
});
