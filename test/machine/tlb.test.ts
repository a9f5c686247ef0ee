import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ACCESS, CR0, CR4, PF, PTE } from "../../src/machine/i386.js";
import { CPU_MODELS, type CpuName } from "../../src/machine/cpu-model.js";
import { PhysicalMemory } from "../../src/machine/physical-memory.js";
import { FAULT, HIT_CLOCK_LIMIT, Mmu, RENUMBER_AT, type MmuOptions } from "../../src/machine/mmu.js";
import { STATE, Tlb } from "../../src/machine/tlb.js";

const PD = 0x10000;
const P = PTE.PRESENT;
const RW = PTE.RW;
const U = PTE.USER;

/** A 16 MiB machine with an empty directory at PD, paging and WP on; `map` adds 4 KiB pages. */
function machine(cpu: CpuName = "i486", options: MmuOptions = {}) {
  const memory = new PhysicalMemory(16 * 1024 * 1024);
  const mmu = new Mmu(memory, CPU_MODELS[cpu], options);
  let nextTable = 0x20000;
  const pdeAddr = (va: number) => PD + (va >>> 22) * 4;
  const pteAddr = (va: number) => (memory.read32(pdeAddr(va)) & ~0xfff) + ((va >>> 12) & 0x3ff) * 4;
  const map = (va: number, pfn: number, flags = P | RW | U) => {
    if ((memory.read32(pdeAddr(va)) & P) === 0) {
      memory.write32(pdeAddr(va), nextTable | P | RW | U);
      nextTable += 0x1000;
    }
    memory.write32(pteAddr(va), (pfn << 12) | flags);
  };
  mmu.loadCr3(PD);
  mmu.setCr0(CR0.PE | CR0.PG | CR0.WP);
  return { memory, mmu, map, pteAddr };
}

const page = (n: number) => 0x00400000 + n * 4096;

describe("TLB: stale entries and invalidation", () => {
  it("keeps serving a changed PTE's old frame until INVLPG", () => {
    const { mmu, map } = machine("i486");
    map(page(0), 0x100);
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100);
    map(page(0), 0x200);
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100);
    expect(mmu.invlpg(page(0) + 0x123)).toBe(true);
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200);
  });

  it("has no INVLPG on an i386: invlpg returns false and changes nothing, a CR3 reload flushes", () => {
    const { mmu, map } = machine("i386");
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.READ);
    map(page(0), 0x200);
    expect(mmu.invlpg(page(0))).toBe(false);
    expect(mmu.counters.invlpgs).toBe(0);
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x100);
    mmu.loadCr3(PD);
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x200);
  });

  it("keeps global entries across a CR3 load under CR4.PGE, drops them without PGE or by INVLPG", () => {
    const { mmu, map } = machine("p6");
    mmu.setCr4(CR4.PGE);
    map(page(0), 0x100, P | RW | PTE.GLOBAL);
    map(page(1), 0x101, P | RW);
    mmu.translate(page(0), ACCESS.READ);
    mmu.translate(page(1), ACCESS.READ);
    map(page(0), 0x200, P | RW | PTE.GLOBAL);
    map(page(1), 0x201, P | RW);
    mmu.loadCr3(PD);
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x100); // global: survived
    expect(mmu.translate(page(1), ACCESS.READ)).toBe(0x201); // reloaded
    mmu.invlpg(page(0));
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x200);

    map(page(0), 0x300, P | RW | PTE.GLOBAL);
    mmu.setCr4(0); // changing PGE flushes everything
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x300);
    map(page(0), 0x400, P | RW | PTE.GLOBAL);
    mmu.loadCr3(PD); // G is ignored without PGE
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x400);
  });

  it("flushes everything when paging is turned off", () => {
    const { mmu, map } = machine("p6");
    mmu.setCr4(CR4.PGE);
    map(page(0), 0x100, P | RW | PTE.GLOBAL);
    mmu.translate(page(0), ACCESS.READ);
    map(page(0), 0x200, P | RW | PTE.GLOBAL);
    mmu.setCr0(CR0.PE);
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(page(0) >>> 12); // paging off: physical
    mmu.setCr0(CR0.PE | CR0.PG | CR0.WP);
    expect(mmu.translate(page(0), ACCESS.READ)).toBe(0x200);
  });

  it("walks again to set D when writing through an entry loaded by a read, faulting if the PTE is gone", () => {
    const { mmu, memory, map, pteAddr } = machine("i486");
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.USER_READ);
    expect(memory.read32(pteAddr(page(0))) & PTE.DIRTY).toBe(0);
    const walks = mmu.counters.walks;
    expect(mmu.translate(page(0), ACCESS.USER_WRITE)).toBe(0x100);
    expect(memory.read32(pteAddr(page(0))) & PTE.DIRTY).toBe(PTE.DIRTY);
    expect(mmu.counters.walks).toBe(walks + 1);
    mmu.translate(page(0), ACCESS.USER_WRITE);
    expect(mmu.counters.walks).toBe(walks + 1); // now cached dirty

    map(page(1), 0x101);
    mmu.translate(page(1), ACCESS.USER_READ);
    memory.write32(pteAddr(page(1)), 0); // unmapped without INVLPG
    expect(mmu.translate(page(1), ACCESS.USER_READ)).toBe(0x101); // stale read still served
    expect(mmu.translate(page(1), ACCESS.USER_WRITE)).toBe(FAULT); // the D walk sees it gone
    expect(mmu.errorCode).toBe(PF.WRITE | PF.USER);
  });

  it("drops the faulting page's entry on a #PF, so the retry walks the new tables", () => {
    const { mmu, map } = machine("i486");
    map(page(0), 0x100, P | U); // read-only
    mmu.translate(page(0), ACCESS.USER_READ);
    map(page(0), 0x100, P | RW | U); // made writable, no INVLPG (a lazy kernel)
    expect(mmu.translate(page(0), ACCESS.USER_WRITE)).toBe(FAULT); // spurious: from the stale entry
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.WRITE | PF.USER);
    expect(mmu.translate(page(0), ACCESS.USER_WRITE)).toBe(0x100);
  });

  it("re-evaluates cached rights when CR0.WP changes, without a flush", () => {
    const { mmu, map } = machine("i486");
    mmu.setCr0(CR0.PE | CR0.PG);
    map(page(0), 0x100, P | U | PTE.DIRTY);
    expect(mmu.translate(page(0), ACCESS.WRITE)).toBe(0x100);
    const flushes = mmu.counters.flushes;
    mmu.setCr0(CR0.PE | CR0.PG | CR0.WP);
    expect(mmu.counters.flushes).toBe(flushes);
    expect(mmu.translate(page(0), ACCESS.WRITE)).toBe(FAULT);
  });
});

describe("TLB: shape and replacement", () => {
  it("holds 32 pages on an i386 and loses some to a 33rd", () => {
    const { mmu, map } = machine("i386");
    for (let i = 0; i < 33; i++) map(page(i), 0x100 + i);
    for (let i = 0; i < 32; i++) mmu.translate(page(i), ACCESS.READ);
    mmu.counters.reset();
    for (let i = 0; i < 32; i++) mmu.translate(page(i), ACCESS.READ);
    expect(mmu.counters.toJSON()).toMatchObject({ hits: 32, misses: 0 });
    mmu.translate(page(32), ACCESS.READ); // its set (32 mod 8 = 0) is full: one of pages 0, 8, 16, 24 goes
    expect([0, 8, 16, 24].filter((i) => mmu.tlb.lookup(page(i)) >= 0)).toHaveLength(3);
    expect(mmu.tlb.occupancy).toBe(32);
  });

  it("evicts within a set: five pages of one i386 set do not fit its four ways", () => {
    const { mmu, map } = machine("i386");
    const sameSet = [0, 8, 16, 24, 32];
    for (const i of sameSet) map(page(i), 0x100 + i);
    for (const i of sameSet) mmu.translate(page(i), ACCESS.READ);
    expect(mmu.tlb.occupancy).toBe(4);
  });

  it("replaces the tree pseudo-LRU victim on an i486", () => {
    const { mmu, map } = machine("i486");
    const [a, b, c, d, e] = [0, 8, 16, 24, 32].map(page); // one set of 8
    for (const va of [a, b, c, d, e]) map(va, 0x100 + (va >>> 12));
    for (const va of [a, b, c, d, a, e]) mmu.translate(va, ACCESS.READ);
    // After a b c d a: the tree points at the c/d half, and within it at c.
    mmu.counters.reset();
    for (const va of [a, b, d, e]) mmu.translate(va, ACCESS.READ);
    expect(mmu.counters.misses).toBe(0);
    mmu.translate(c, ACCESS.READ);
    expect(mmu.counters.misses).toBe(1);
  });

  it("caches a page that evicted another with the rights of its walk: a write walks again to set D, a read-only page refuses a supervisor write under CR0.WP only", () => {
    for (const wp of [true, false]) {
      const { memory, mmu, map, pteAddr } = machine("i486");
      if (!wp) mmu.setCr0(CR0.PE | CR0.PG);
      const [a, b, c, d, clean, readOnly] = [0, 8, 16, 24, 32, 40].map(page); // one set of 8: the last two evict
      for (const va of [a, b, c, d, clean]) map(va, 0x100 + (va >>> 12));
      map(readOnly, 0x200, P | U | PTE.DIRTY);
      for (const va of [a, b, c, d, clean, readOnly]) mmu.translate(va, ACCESS.READ);
      mmu.counters.reset();
      expect(mmu.translate(clean, ACCESS.USER_WRITE)).toBe(0x100 + (clean >>> 12));
      expect(memory.read32(pteAddr(clean)) & PTE.DIRTY).toBe(PTE.DIRTY);
      expect(mmu.translate(readOnly, ACCESS.WRITE)).toBe(wp ? FAULT : 0x200);
      expect(mmu.counters.misses).toBe(0);
    }
  });

  it("caches a 4 MiB page in one entry on a Pentium", () => {
    const { mmu, memory } = machine("pentium");
    mmu.setCr4(CR4.PSE);
    memory.write32(PD + 4 * 4, 0x00c00000 | PTE.PS | P | RW | U);
    for (let i = 0; i < 1024; i++) mmu.translate(0x01000000 + i * 4096, ACCESS.READ);
    expect(mmu.counters.toJSON()).toMatchObject({ misses: 1, hits: 1023 });
    memory.write32(PD + 4 * 4, 0x00800000 | PTE.PS | P | RW | U);
    mmu.invlpg(0x013ff000); // any page of it drops the whole entry
    expect(mmu.translate(0x01000000, ACCESS.READ)).toBe(0x800);
  });

  it("keeps 4 MiB pages as 4 KiB pieces when the model has no 4 MiB entries, and INVLPG drops them all", () => {
    const tlb = new Tlb({ entries: 8, ways: 2, largeEntries: 0, largeWays: 0, replacement: "tree-plru" });
    tlb.insert(0x01000000, 0xc00, RW, 0, 0, true);
    tlb.insert(0x01001000, 0xc00, RW, 0, 0, true);
    const slot = tlb.lookup(0x01001000);
    expect(tlb.pfnOf(slot, 0x01001000)).toBe(0xc01);
    expect(tlb.lookup(0x01002000)).toBe(-1);
    tlb.invalidatePage(0x01234000);
    expect(tlb.occupancy).toBe(0);
  });

  it("walks on every access when the TLB is off", () => {
    const { mmu, map } = machine("p6", { tlb: "off" });
    map(page(0), 0x100);
    mmu.counters.reset();
    for (let i = 0; i < 5; i++) mmu.translate(page(0), ACCESS.READ);
    expect(mmu.counters.toJSON()).toEqual({ translations: 5, hits: 0, misses: 5, walks: 5, invlpgs: 0, flushes: 0, globalKept: 0 });
  });

  it("takes a custom shape and rejects one that cannot be built", () => {
    const { mmu, map } = machine("p6", { tlb: { entries: 2, ways: 2 } });
    for (let i = 0; i < 3; i++) map(page(i), 0x100 + i);
    for (let i = 0; i < 3; i++) mmu.translate(page(i), ACCESS.READ);
    expect(mmu.tlb.occupancy).toBe(2);
    expect(() => machine("p6", { tlb: { entries: 6, ways: 4 } })).toThrow(/not a multiple/);
    expect(() => machine("p6", { tlb: { entries: 6, ways: 3 } })).toThrow(/ways must be a power of two/);
  });
});

describe("TLB counters", () => {
  it("count translations, hits, misses, walks, INVLPGs and full flushes", () => {
    const { mmu, map } = machine("i486");
    map(page(0), 0x100);
    map(page(1), 0x101);
    mmu.counters.reset();
    mmu.translate(page(0), ACCESS.READ); // miss, walk
    mmu.translate(page(0), ACCESS.READ); // hit
    mmu.translate(page(0), ACCESS.WRITE); // hit + walk to set D
    mmu.translate(page(2), ACCESS.READ); // miss, walk, fault
    mmu.access(page(0) + 4094, 4, ACCESS.READ); // hit, then miss + walk for page 1
    mmu.invlpg(page(0));
    mmu.loadCr3(PD);
    mmu.flushAll();
    expect(mmu.counters.toJSON()).toEqual({ translations: 6, hits: 3, misses: 3, walks: 4, invlpgs: 1, flushes: 2, globalKept: 0 });
    expect(JSON.parse(JSON.stringify(mmu.counters)).translations).toBe(6);
  });

  it("count the CR3 loads under CR4.PGE, which keep global entries, apart from full flushes", () => {
    const { mmu } = machine("p6");
    mmu.counters.reset();
    mmu.setCr4(CR4.PGE); // a PGE change flushes everything
    mmu.loadCr3(PD);
    mmu.loadCr3(PD);
    mmu.flushAll();
    expect(mmu.counters).toMatchObject({ flushes: 4, globalKept: 2 });
    mmu.setCr4(0);
    mmu.loadCr3(PD);
    expect(mmu.counters).toMatchObject({ flushes: 6, globalKept: 2 });
    mmu.counters.reset();
    expect(mmu.counters.toJSON().globalKept).toBe(0);
  });
});

describe("TLB strict mode", () => {
  it("reports an access served by an entry whose PTE changed without INVLPG, naming the VA and the write", () => {
    const { mmu, map, pteAddr } = machine("i486", { strict: true });
    map(page(0), 0x100);
    mmu.translate(page(0) + 8, ACCESS.USER_READ);
    map(page(0), 0x200);
    expect(mmu.translate(page(0) + 8, ACCESS.USER_READ)).toBe(0x100); // hardware behaviour is kept
    expect(mmu.strictViolationCount).toBe(1);
    const v = mmu.strictViolations[0];
    expect(v.va).toBe(page(0) + 8);
    expect(v.cached.pfn).toBe(0x100);
    expect(v.current.pfn).toBe(0x200);
    expect(v.lastWrite).toMatchObject({ pa: pteAddr(page(0)), newValue: (0x200 << 12) | P | RW | U, seq: 1, atTranslation: 1 });
    expect(v.lastWrite?.oldValue).toBe((0x100 << 12) | P | RW | U | PTE.ACCESSED);
    expect(v.message).toMatch(/stale TLB entry for 0x00400008 \(frame changed\).*last write to PTE at 0x00020000/);
  });

  it("blames a PDE written after the entry was refilled, not the PTE write an INVLPG already dealt with", () => {
    const { mmu, memory, map, pteAddr } = machine("i486", { strict: true });
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.USER_READ);
    map(page(0), 0x200);
    mmu.invlpg(page(0));
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200); // refilled
    const pdeAddr = PD + (page(0) >>> 22) * 4;
    const cachedPteAddr = pteAddr(page(0));
    memory.write32(0x30000, (0x300 << 12) | P | RW | U); // a new page table, its PTE for page(0) first
    memory.write32(pdeAddr, 0x30000 | P | RW | U); // no INVLPG
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200);
    expect(mmu.strictViolationCount).toBe(1);
    const v = mmu.strictViolations[0];
    expect([v.pdeAddr, v.pteAddr, v.current.pfn]).toEqual([pdeAddr, cachedPteAddr, 0x300]);
    expect(v.lastWrite).toMatchObject({ pa: pdeAddr, newValue: 0x30000 | P | RW | U });
    expect(v.message).toMatch(/frame changed.*last write to PDE at 0x00010004: 0x00020027 -> 0x00030007/);
  });

  it("blames the latest of the PTE and PDE writes made after the fill", () => {
    const { mmu, memory, map } = machine("i486", { strict: true });
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.USER_READ);
    map(page(0), 0x200);
    mmu.invlpg(page(0));
    mmu.translate(page(0), ACCESS.USER_READ);
    const pdeAddr = PD + (page(0) >>> 22) * 4;
    map(page(0), 0x300); // the PTE changes...
    memory.write32(pdeAddr, memory.read32(pdeAddr) & ~U); // ...then the PDE revokes user access
    mmu.translate(page(0), ACCESS.READ);
    expect(mmu.strictViolations[0].lastWrite).toMatchObject({ pa: pdeAddr, oldValue: 0x20000 | P | RW | U | PTE.ACCESSED });
  });

  it("names the write when a page table is overwritten a whole frame at a time", () => {
    const { mmu, memory, map, pteAddr } = machine("i486", { strict: true });
    map(page(0), 0x100);
    const table = pteAddr(page(0)) >>> 12;
    const scratch = 0x40;
    mmu.translate(page(0), ACCESS.USER_READ);
    memory.write32(scratch << 12, (0x200 << 12) | P | RW | U);
    memory.copyFrame(table, scratch);
    mmu.translate(page(0), ACCESS.USER_READ);
    expect(mmu.strictViolations[0].lastWrite).toMatchObject({ pa: table << 12, newValue: (0x200 << 12) | P | RW | U });

    mmu.invlpg(page(0));
    mmu.translate(page(0), ACCESS.USER_READ);
    const frame = new Uint8Array(4096);
    new DataView(frame.buffer).setInt32(0, (0x300 << 12) | P | RW | U, true);
    memory.writeFrame(table, frame);
    mmu.translate(page(0), ACCESS.USER_READ);
    expect(mmu.strictViolations[1].lastWrite).toMatchObject({ pa: table << 12, newValue: (0x300 << 12) | P | RW | U });

    mmu.invlpg(page(0));
    mmu.translate(page(0), ACCESS.USER_READ);
    memory.zeroFrame(table);
    mmu.translate(page(0), ACCESS.USER_READ);
    expect(mmu.strictViolations[2].message).toMatch(/page no longer present.*last write to PTE at 0x00020000: 0x00300027 -> 0x00000000/);
    expect(mmu.strictViolationCount).toBe(3);
  });

  it("reports nothing when the change is followed by INVLPG", () => {
    const { mmu, map } = machine("i486", { strict: true });
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.USER_READ);
    map(page(0), 0x200);
    mmu.invlpg(page(0));
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200);
    expect(mmu.strictViolationCount).toBe(0);
  });

  it("does not report rights raised without INVLPG: the stale entry refuses more, and its #PF is the kernel's spurious fault", () => {
    const { mmu, memory, map, pteAddr } = machine("i486", { strict: true });
    map(page(0), 0x100, P | U);
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100); // cached read-only
    memory.write32(pteAddr(page(0)), memory.read32(pteAddr(page(0))) | RW); // raised lazily, as Linux does
    expect(mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100);
    expect(mmu.translate(page(0), ACCESS.USER_WRITE)).toBe(FAULT);
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.WRITE | PF.USER);
    expect(mmu.translate(page(0), ACCESS.USER_WRITE)).toBe(0x100); // the fault dropped the entry: the retry walks
    expect(mmu.strictViolationCount).toBe(0);
  });

  it("reports a cleared Dirty bit and a revoked write right, but not a cleared Accessed bit", () => {
    const { mmu, memory, map, pteAddr } = machine("i486", { strict: true });
    map(page(0), 0x100);
    mmu.translate(page(0), ACCESS.USER_WRITE);
    const pte = memory.read32(pteAddr(page(0)));
    memory.write32(pteAddr(page(0)), pte & ~PTE.ACCESSED);
    mmu.translate(page(0), ACCESS.USER_WRITE);
    expect(mmu.strictViolationCount).toBe(0);
    memory.write32(pteAddr(page(0)), pte & ~PTE.DIRTY);
    mmu.translate(page(0), ACCESS.USER_WRITE);
    expect(mmu.strictViolations[0].message).toMatch(/Dirty cleared/);
    memory.write32(pteAddr(page(0)), pte & ~PTE.RW); // COW without INVLPG
    mmu.translate(page(0), ACCESS.USER_READ);
    expect(mmu.strictViolations[1].message).toMatch(/rights revoked/);
  });
});

type Machine = ReturnType<typeof machine>;

/**
 * The cached and the walking MMU translated one access to `a` and `b`: same
 * frame or fault (error code and CR2 included), same entry word (its A and
 * D bits) at `cachedEntry` and `walkingEntry`. Checked by hand, not by
 * expect: it runs after each of ~30,000 accesses, where expect's
 * bookkeeping was most of the time; fast-check shrinks and shows the ops.
 */
function agree(cached: Machine, walking: Machine, a: number, b: number, cachedEntry: number, walkingEntry: number): void {
  if (a !== b) throw new Error(`translated to ${a} with the TLB, ${b} walking`);
  const fault = (m: Machine) => `error code ${m.mmu.errorCode}, CR2 0x${(m.mmu.cr2 >>> 0).toString(16)}`;
  if (a === FAULT && fault(cached) !== fault(walking)) throw new Error(`faulted with ${fault(cached)} with the TLB, ${fault(walking)} walking`);
  const [c, w] = [cached.memory.read32(cachedEntry), walking.memory.read32(walkingEntry)];
  if (c !== w) throw new Error(`entry 0x${(c >>> 0).toString(16)} with the TLB, 0x${(w >>> 0).toString(16)} walking`);
}

/** True when `state` is as a new TLB's: every word zero but the entries' tags, which are -1 (invalid). */
function asNew(state: Int32Array): boolean {
  for (let i = 0; i < STATE.ENTRIES; i++) if (state[i] !== 0) return false;
  for (let i = STATE.ENTRIES; i < state.length; i++) if (state[i] !== ((i - STATE.ENTRIES) % 8 === 0 ? -1 : 0)) return false;
  return true;
}

describe("TLB release", () => {
  it("hands its array, as a new TLB's, to the next machine of its size, whatever was cached, hit, evicted or renumbered", () => {
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ t: fc.constant("access" as const), slot: fc.nat(5), page: fc.nat(40), write: fc.boolean(), user: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("invlpg" as const), slot: fc.nat(5), page: fc.nat(40) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("wp" as const), on: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("cr3" as const) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i386", "i486", "pentium", "p6"), fc.boolean(), fc.array(op, { minLength: 20, maxLength: 300 }), fc.nat(40), (cpu, strict, ops, early) => {
        const { mmu, memory, map } = machine(cpu, { strict });
        mmu.clock = RENUMBER_AT - early;
        // Directory slots 4..6: 4 KiB pages, global every third; 7..9: 4 MiB pages where the CPU has them.
        if (CPU_MODELS[cpu].hasPse) mmu.setCr4(CR4.PSE | CR4.PGE);
        for (let slot = 0; slot < 6; slot++) {
          for (let p = 0; p < 41; p++) {
            const va = (4 + slot) * 0x400000 + p * 4096;
            if (slot >= 3 && CPU_MODELS[cpu].hasPse) memory.write32(PD + (4 + slot) * 4, ((slot + 1) * 0x400000) | PTE.PS | P | RW | U);
            else map(va, 0x100 + slot * 41 + p, P | RW | U | (p % 3 === 0 ? PTE.GLOBAL : 0));
          }
        }
        for (const o of ops) {
          if (o.t === "access") mmu.translate((4 + o.slot) * 0x400000 + o.page * 4096, (o.write ? ACCESS.WRITE : 0) | (o.user ? ACCESS.USER : 0));
          else if (o.t === "invlpg") mmu.invlpg((4 + o.slot) * 0x400000 + o.page * 4096);
          else if (o.t === "wp") mmu.setCr0(CR0.PE | CR0.PG | (o.on ? CR0.WP : 0));
          else mmu.loadCr3(PD);
        }
        const array = mmu.tlb.state;
        mmu.release();
        // Identity by ===, not toBe: toBe compares two distinct arrays element by element (8 MiB each) even when it passes.
        expect(mmu.tlb.state === array).toBe(false);
        const next = machine(cpu, { strict });
        expect(next.mmu.tlb.state === array).toBe(true);
        expect(asNew(array)).toBe(true);
        next.mmu.release();
      }),
      { numRuns: 60 },
    );
  });

  it("keeps a released machine, used after all, off the array of the machine that took it", () => {
    const old = machine("i486");
    old.map(page(0), 0x100);
    expect(old.mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100);
    old.mmu.release();
    old.mmu.release(); // idempotent: the array is handed on once
    const next = machine("i486");
    const other = machine("i486");
    expect(other.mmu.tlb.state === next.mmu.tlb.state).toBe(false);
    next.map(page(0), 0x200);
    expect(next.mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200);
    old.map(page(1), 0x300);
    expect(old.mmu.translate(page(1), ACCESS.USER_WRITE)).toBe(0x300);
    expect(old.mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x100);
    expect(next.mmu.tlb.entries().map((e) => [e.va, e.pfn])).toEqual([[page(0), 0x200]]);
    expect(next.mmu.translate(page(0), ACCESS.USER_READ)).toBe(0x200);
    expect(next.mmu.counters.hits).toBe(1);
    next.mmu.release();
    other.mmu.release();
  });
});

describe("TLB model agrees with walking every access", () => {
  it("gives the same frames, faults and A/D words as the TLB-off MMU when the tables only change with INVLPG", () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("access" as const), page: fc.nat(47), write: fc.boolean(), user: fc.boolean() }),
      fc.record({ t: fc.constant("remap" as const), page: fc.nat(47), pfn: fc.integer({ min: 0x100, max: 0x1ff }), flags: fc.nat(7) }),
    );
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i386", "i486", "pentium", "p6"), fc.array(op, { minLength: 50, maxLength: 200 }), (cpu, ops) => {
        const cached = machine(cpu);
        const walking = machine(cpu, { tlb: "off" });
        for (const o of ops) {
          if (o.t === "remap") {
            for (const m of [cached, walking]) m.map(page(o.page), o.pfn, o.flags);
            if (!cached.mmu.invlpg(page(o.page))) cached.mmu.loadCr3(PD);
            continue;
          }
          const kind = (o.write ? ACCESS.WRITE : 0) | (o.user ? ACCESS.USER : 0);
          const a = cached.mmu.translate(page(o.page) + 12, kind);
          const b = walking.mmu.translate(page(o.page) + 12, kind);
          agree(cached, walking, a, b, cached.pteAddr(page(o.page)), walking.pteAddr(page(o.page)));
        }
        // Released, their arrays go to the next run's machines: any trace left in them would show there.
        cached.mmu.release();
        walking.mmu.release();
      }),
      { numRuns: 120 },
    );
  });

  it("agrees too with 4 MiB pages on a Pentium and a P6, their 4 MiB entries evicting one another", () => {
    const LARGE_SLOTS = 12; // directory slots 4..15; two sets of four 4 MiB entries
    const op = fc.oneof(
      fc.record({ t: fc.constant("access" as const), slot: fc.nat(LARGE_SLOTS - 1), page: fc.nat(7), write: fc.boolean(), user: fc.boolean() }),
      fc.record({ t: fc.constant("remap" as const), slot: fc.nat(LARGE_SLOTS - 1), frame: fc.nat(3), flags: fc.nat(7), page: fc.nat(7) }),
    );
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("pentium", "p6"), fc.array(op, { minLength: 50, maxLength: 200 }), (cpu, ops) => {
        const cached = machine(cpu, { tlb: { entries: 8, ways: 4 } });
        const walking = machine(cpu, { tlb: "off" });
        const pde = (slot: number) => PD + (4 + slot) * 4;
        const va = (slot: number, page: number) => ((4 + slot) * 0x400000 + page * 4096 + 8) >>> 0;
        for (const m of [cached, walking]) {
          m.mmu.setCr4(CR4.PSE);
          for (let slot = 0; slot < LARGE_SLOTS; slot++) m.memory.write32(pde(slot), (slot % 3) * 0x400000 + 0x400000 | PTE.PS | P | RW | U);
        }
        for (const o of ops) {
          if (o.t === "remap") {
            for (const m of [cached, walking]) m.memory.write32(pde(o.slot), (o.frame + 1) * 0x400000 | PTE.PS | P | o.flags);
            cached.mmu.invlpg(va(o.slot, o.page)); // any address inside drops the 4 MiB entry
            continue;
          }
          const kind = (o.write ? ACCESS.WRITE : 0) | (o.user ? ACCESS.USER : 0);
          const a = cached.mmu.translate(va(o.slot, o.page), kind);
          const b = walking.mmu.translate(va(o.slot, o.page), kind);
          agree(cached, walking, a, b, pde(o.slot), pde(o.slot));
        }
        cached.mmu.release();
        walking.mmu.release();
      }),
      { numRuns: 120 },
    );
  });
});

/**
 * The i486 manual's tree pseudo-LRU, kept as explicit bits: per set, a root
 * bit and one bit per pair of ways, each pointing away from the half used
 * last. Invalid ways are filled first, lowest way first.
 */
class TreePlruReference {
  private readonly tags: number[][];
  private readonly root: number[];
  private readonly pair: number[][];

  constructor(private readonly sets: number) {
    this.tags = Array.from({ length: sets }, () => [-1, -1, -1, -1]);
    this.root = new Array<number>(sets).fill(0);
    this.pair = Array.from({ length: sets }, () => [0, 0]);
  }

  /** True on a hit; on a miss the page is filled (the victim being the way the bits point at). */
  access(vpn: number): boolean {
    const set = vpn % this.sets;
    const tags = this.tags[set];
    let way = tags.indexOf(vpn);
    const hit = way >= 0;
    if (!hit) {
      way = tags.indexOf(-1);
      if (way < 0) way = this.root[set] * 2 + this.pair[set][this.root[set]];
      tags[way] = vpn;
    }
    this.root[set] = way < 2 ? 1 : 0;
    this.pair[set][way >> 1] = (way & 1) === 0 ? 1 : 0;
    return hit;
  }

  invalidate(vpn: number): void {
    const tags = this.tags[vpn % this.sets];
    const way = tags.indexOf(vpn);
    if (way >= 0) tags[way] = -1;
  }
}

/** 24 pages over three sets of the 4-way main array: 8 pages compete for each set's 4 ways. */
const plruOp = fc.oneof(
  { weight: 9, arbitrary: fc.record({ t: fc.constant("access" as const), page: fc.nat(23), write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("invlpg" as const), page: fc.nat(23) }) },
);
type PlruOp = typeof plruOp extends fc.Arbitrary<infer T> ? T : never;

/**
 * One access translated to `frame` (`want` expected) and missed `missed`
 * times, where the reference hit or not. By hand, not by expect: it runs
 * on each of ~100,000 accesses, where expect's bookkeeping was most of the time.
 */
function predicted(frame: number, want: number, missed: number, referenceHit: boolean): void {
  if (frame !== want) throw new Error(`translated to frame 0x${frame.toString(16)}, not 0x${want.toString(16)}`);
  if (missed !== (referenceHit ? 0 : 1)) throw new Error(`${missed === 0 ? "hit" : "missed"} where the tree's bits ${referenceHit ? "hit" : "miss"}`);
}

/**
 * Runs `ops` on a fresh MMU whose clock starts at `clock`; expects every
 * access to hit or miss as the reference does. With `jumpTo`, the clock
 * moves forward to it halfway through (order and counts kept), so the run
 * goes on from there. Returns the MMU.
 */
function checkAgainstReference(cpu: CpuName, ops: PlruOp[], clock = 0, jumpTo?: number, options: MmuOptions = {}): Mmu {
  const { mmu, map } = machine(cpu, options);
  mmu.clock = clock;
  mmu.counters.reset();
  const sets = CPU_MODELS[cpu].tlb.entries / CPU_MODELS[cpu].tlb.ways;
  const vpnOf = (p: number) => (page(0) >>> 12) + (p % 3) + Math.floor(p / 3) * sets;
  for (let p = 0; p < 24; p++) map(vpnOf(p) << 12, 0x100 + p);
  const reference = new TreePlruReference(sets);
  for (const [i, o] of ops.entries()) {
    if (jumpTo !== undefined && i === ops.length >> 1 && jumpTo > mmu.clock) mmu.clock = jumpTo;
    const vpn = vpnOf(o.page);
    if (o.t === "invlpg") {
      mmu.invlpg(vpn << 12);
      reference.invalidate(vpn);
      continue;
    }
    const misses = mmu.counters.misses;
    predicted(mmu.translate((vpn << 12) + 4, o.write ? ACCESS.USER_WRITE : ACCESS.USER_READ), 0x100 + o.page, mmu.counters.misses - misses, reference.access(vpn));
  }
  expect(mmu.counters.hits + mmu.counters.misses).toBe(ops.filter((o) => o.t === "access").length);
  return mmu;
}

describe("TLB replacement is exactly the tree pseudo-LRU", () => {
  it("hits and misses access by access as the tree's bits predict, across INVLPGs, reads and writes", () => {
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i486", "pentium", "p6"), fc.array(plruOp, { minLength: 100, maxLength: 400 }), (cpu, ops) => {
        checkAgainstReference(cpu, ops).release();
      }),
      { numRuns: 150 },
    );
  });

  it("stays exact, counts included, when the MMU renumbers its clock before it leaves the small integers", () => {
    let renumbered = 0;
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i486", "p6"), fc.array(plruOp, { minLength: 100, maxLength: 400 }), fc.nat(40), (cpu, ops, early) => {
        const mmu = checkAgainstReference(cpu, ops, RENUMBER_AT - early);
        if (mmu.clock < RENUMBER_AT - early) renumbered++;
        mmu.release();
      }),
      { numRuns: 60 },
    );
    expect(renumbered).toBeGreaterThan(0);
  });

  it("stays exact in strict mode (no mirror: every use a fill or slow-path hit) across a renumbering", () => {
    let renumbered = 0;
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i486", "p6"), fc.array(plruOp, { minLength: 100, maxLength: 400 }), fc.nat(40), (cpu, ops, early) => {
        const mmu = checkAgainstReference(cpu, ops, RENUMBER_AT - early, undefined, { strict: true });
        if (mmu.clock < RENUMBER_AT - early) renumbered++;
        mmu.release();
      }),
      { numRuns: 40 },
    );
    expect(renumbered).toBeGreaterThan(0);
  });

  it("stays exact, counts included, when a run of hits reaches the hit path's clock limit and the slow path renumbers", () => {
    let renumbered = 0;
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("i486", "p6"), fc.array(plruOp, { minLength: 100, maxLength: 400 }), fc.nat(40), (cpu, ops, early) => {
        const mmu = checkAgainstReference(cpu, ops, 0, HIT_CLOCK_LIMIT - early);
        if (mmu.clock < RENUMBER_AT) renumbered++;
        mmu.release();
      }),
      { numRuns: 60 },
    );
    expect(renumbered).toBeGreaterThan(0);
  });

  it("renumbers from the hit path alone: hits only, across the clock limit, every one counted", () => {
    const { mmu, map } = machine("p6");
    for (let p = 0; p < 4; p++) map(page(p), 0x200 + p);
    for (let p = 0; p < 4; p++) mmu.translate(page(p), ACCESS.USER_READ);
    mmu.counters.reset();
    mmu.clock = HIT_CLOCK_LIMIT - 10;
    for (let i = 0; i < 100; i++) expect(mmu.translate(page(i & 3) + 8, ACCESS.USER_READ)).toBe(0x200 + (i & 3));
    expect(mmu.counters.toJSON()).toMatchObject({ translations: 100, hits: 100, misses: 0, walks: 0 });
    expect(mmu.clock).toBeLessThan(RENUMBER_AT);
  });

  it("does so too for the 4 MiB entries of a Pentium and a P6, whichever 4 KiB page of them is used, across a clock renumbering", () => {
    // 12 4 MiB pages over the two sets of the 4 MiB array (8 entries, 4-way).
    const op = fc.oneof(
      { weight: 9, arbitrary: fc.record({ t: fc.constant("access" as const), slot: fc.nat(11), page: fc.nat(3), write: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("invlpg" as const), slot: fc.nat(11), page: fc.nat(3) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom<CpuName>("pentium", "p6"), fc.array(op, { minLength: 100, maxLength: 400 }), fc.nat(40), (cpu, ops, early) => {
        const { mmu, memory } = machine(cpu);
        mmu.clock = RENUMBER_AT - early;
        mmu.setCr4(CR4.PSE);
        for (let slot = 0; slot < 12; slot++) memory.write32(PD + (4 + slot) * 4, ((slot + 1) * 0x400000) | PTE.PS | P | RW | U);
        const sets = CPU_MODELS[cpu].tlb.largeEntries / CPU_MODELS[cpu].tlb.largeWays;
        const reference = new TreePlruReference(sets);
        for (const o of ops) {
          const va = ((4 + o.slot) * 0x400000 + o.page * 0x1000) >>> 0;
          if (o.t === "invlpg") {
            mmu.invlpg(va);
            reference.invalidate(4 + o.slot);
            continue;
          }
          const misses = mmu.counters.misses;
          predicted(mmu.translate(va + 4, o.write ? ACCESS.USER_WRITE : ACCESS.USER_READ), (o.slot + 1) * 0x400 + o.page, mmu.counters.misses - misses, reference.access(4 + o.slot));
        }
        mmu.release();
      }),
      { numRuns: 150 },
    );
  });
});
