/**
 * updateWorkingSet, the seed's vmm_update_working_set for one space: it
 * counts the pages used since the last look and clears their Accessed bits,
 * invalidating the active space's TLB entries so a page used again is seen
 * again (the seed cleared the bits without invalidating).
 */

import { describe, expect, it } from "vitest";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { bootTestSystem, expectHealthy, read32, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

describe("updateWorkingSet", () => {
  for (const cpu of ["i386", "i486"] as const) {
    it(`counts and clears the pages one space used since the last look, leaving the others' alone (${cpu})`, () => {
      const sys = bootTestSystem({ cpu });
      const spaces = [5, 3].map((pages) => {
        const as = sys.vmm.createAddressSpace()!;
        sys.vmm.switchAddressSpace(as);
        expect(sys.vmm.brk(as, HEAP + pages * 4096)).toBe(true);
        for (let i = 0; i < pages; i++) write32(sys, HEAP + i * 4096, i);
        return as;
      });
      const [a, b] = spaces;
      sys.vmm.switchAddressSpace(a);
      for (let i = 0; i < 5; i++) read32(sys, HEAP + i * 4096); // the TLB holds all five
      expect(sys.vmm.updateWorkingSet(a)).toBe(5);
      expect(a.wsPages).toBe(5);
      expect(sys.vmm.updateWorkingSet(a)).toBe(0);
      read32(sys, HEAP);
      read32(sys, HEAP + 4096);
      expect(sys.vmm.updateWorkingSet(a)).toBe(2); // through TLB entries filled before the first look
      expect(sys.vmm.updateWorkingSet(b)).toBe(3);
      expect(sys.vmm.updateWorkingSet(sys.vmm.kernelSpace)).toBe(0);
      expectHealthy(sys);
    });
  }
});
