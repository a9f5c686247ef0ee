/**
 * The MMU's flat miss path (translateSlow's common case and its fault,
 * Tlb.fillMiss, which insert uses too, and lacks) against the general one (MmuOptions.flatMiss
 * false: every fill by Tlb.claim and fill): two MMUs on equal memories, the
 * same random page tables, rewrites without INVLPG (stale entries), INVLPG,
 * CR3 loads, CR0.WP flips and 4 MiB pages, must give the same frames,
 * faults, counts, A/D words, TLB entries, mirror and stamps.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CR0, CR4, PTE } from "../../src/machine/i386.js";
import { CPU_MODELS, type CpuName } from "../../src/machine/cpu-model.js";
import { PhysicalMemory } from "../../src/machine/physical-memory.js";
import { FAULT, Mmu } from "../../src/machine/mmu.js";
import { STATE } from "../../src/machine/tlb.js";

const PD = 0x10000;
/** Page tables for directory slots 1..3; slot 4 is a 4 MiB page (LARGE_PDE) or the table at SMALL_PDE's, flipped by the "flip" op. */
const TABLES = [0x20000, 0x21000, 0x22000];
const PAGES = 90;
const LARGE_SLOT = 4;
const LARGE_PDE = 0x800000 | PTE.PS | PTE.PRESENT | PTE.RW | PTE.USER;
const SMALL_PDE = 0x23000 | PTE.PRESENT | PTE.RW | PTE.USER | PTE.ACCESSED;
/** Pages of slot 4 the test touches, mapped in both its forms. */
const LARGE_PAGES = 8;

/** Page n of the test's address space: spread over the three page tables, so sets and PDEs mix. */
function pageVa(n: number): number {
  return ((1 + (n % 3)) << 22) + (Math.floor(n / 3) << 12);
}

function pteAddr(va: number): number {
  return TABLES[(va >>> 22) - 1] + ((va >>> 12) & 0x3ff) * 4;
}

/** An MMU on a 16 MiB machine, paging on, every test page mapped with `flags` (A and D clear or set as given). */
function machine(cpu: CpuName, flatMiss: boolean, flags: readonly number[]): { memory: PhysicalMemory; mmu: Mmu } {
  const memory = new PhysicalMemory(16 << 20);
  const mmu = new Mmu(memory, CPU_MODELS[cpu], { flatMiss });
  TABLES.forEach((table, i) => memory.write32(PD + (i + 1) * 4, table | PTE.PRESENT | PTE.RW | PTE.USER));
  for (let n = 0; n < PAGES; n++) memory.write32(pteAddr(pageVa(n)), ((0x300 + n) << 12) | flags[n] | PTE.PRESENT);
  for (let p = 0; p < LARGE_PAGES; p++) memory.write32((SMALL_PDE & ~0xfff) + p * 4, ((0x400 + p) << 12) | PTE.PRESENT | PTE.RW | PTE.USER);
  memory.write32(PD + LARGE_SLOT * 4, LARGE_PDE);
  if (CPU_MODELS[cpu].hasPse) mmu.setCr4(CR4.PSE);
  mmu.loadCr3(PD);
  mmu.setCr0(CR0.PE | CR0.PG | CR0.WP);
  return { memory, mmu };
}

type Op =
  | { t: "access"; page: number; kind: number }
  | { t: "large"; page: number; kind: number }
  | { t: "pte"; page: number; flags: number }
  | { t: "pde"; table: number; flags: number }
  | { t: "flip" }
  | { t: "invlpg"; page: number }
  | { t: "cr3" }
  | { t: "wp" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ t: fc.constant("access" as const), page: fc.nat(PAGES - 1), kind: fc.nat(3).map((k) => k << 1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("large" as const), page: fc.nat(LARGE_PAGES - 1), kind: fc.nat(3).map((k) => k << 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("flip" as const) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("pte" as const), page: fc.nat(PAGES - 1), flags: fc.nat(0x7f) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pde" as const), table: fc.nat(2), flags: fc.nat(0x7f) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("invlpg" as const), page: fc.nat(PAGES - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cr3" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("wp" as const) }) },
);

/** Applies one op to an MMU and its memory; an access's outcome as a string (frame, or fault with code and CR2). */
function apply(m: { memory: PhysicalMemory; mmu: Mmu }, o: Op): string {
  const { memory, mmu } = m;
  switch (o.t) {
    case "access":
    case "large": {
      const va = o.t === "access" ? pageVa(o.page) + 8 : (LARGE_SLOT << 22) + (o.page << 12);
      const pfn = mmu.translate(va, o.kind);
      return pfn === FAULT ? `fault ${mmu.errorCode} at ${mmu.cr2}` : `frame ${pfn}`;
    }
    case "pte": // no INVLPG: a cached entry goes stale, as the kernel's own bugs would make it
      memory.write32(pteAddr(pageVa(o.page)), ((0x300 + o.page) << 12) | o.flags);
      return "";
    case "pde":
      memory.write32(PD + (o.table + 1) * 4, TABLES[o.table] | o.flags);
      return "";
    case "flip": // no INVLPG: a 4 MiB entry may outlive its PDE, and must still serve
      memory.write32(PD + LARGE_SLOT * 4, memory.read32(PD + LARGE_SLOT * 4) === LARGE_PDE ? SMALL_PDE : LARGE_PDE);
      return "";
    case "invlpg":
      mmu.invlpg(pageVa(o.page));
      return "";
    case "cr3":
      mmu.loadCr3(PD);
      return "";
    case "wp":
      mmu.setCr0(mmu.cr0 ^ CR0.WP);
      return "";
  }
}

/** Everything the two paths must leave alike, as one string per part (compared by hand: it runs after each op). */
function stateOf(m: { memory: PhysicalMemory; mmu: Mmu }): string[] {
  const { memory, mmu } = m;
  const words: number[] = [];
  for (let i = 1; i <= LARGE_SLOT; i++) words.push(memory.read32(PD + i * 4));
  for (let n = 0; n < PAGES; n++) words.push(memory.read32(pteAddr(pageVa(n))));
  for (let p = 0; p < LARGE_PAGES; p++) words.push(memory.read32((SMALL_PDE & ~0xfff) + p * 4));
  return [JSON.stringify(mmu.counters.toJSON()), String(mmu.clock), words.join(","), JSON.stringify(mmu.tlb.entries())];
}

/** The mirror entries and stamps of every page the test can touch. */
function mirrorOf(mmu: Mmu): number[] {
  const state = mmu.tlb.state;
  const out: number[] = [state[STATE.CLOCK]];
  for (let n = 0; n < PAGES; n++) out.push(state[pageVa(n) >>> 11], state[(pageVa(n) >>> 11) + 1]);
  for (let p = 0; p < LARGE_PAGES; p++) out.push(state[((LARGE_SLOT << 10) + p) << 1], state[(((LARGE_SLOT << 10) + p) << 1) + 1]);
  return out;
}

describe("the flat TLB miss path", () => {
  it("leaves the same frames, faults, counts, A/D words, entries, mirror and stamps as the general path, on every CPU", () => {
    let misses = 0;
    fc.assert(
      fc.property(
        fc.constantFrom<CpuName>("i386", "i486", "pentium", "p6"),
        fc.array(fc.constantFrom(PTE.RW | PTE.USER, PTE.RW | PTE.USER | PTE.ACCESSED, PTE.RW | PTE.USER | PTE.ACCESSED | PTE.DIRTY, PTE.USER | PTE.ACCESSED, PTE.RW), {
          minLength: PAGES,
          maxLength: PAGES,
        }),
        fc.array(op, { minLength: 100, maxLength: 400 }),
        (cpu, flags, ops) => {
          const flat = machine(cpu, true, flags);
          const general = machine(cpu, false, flags);
          for (const [i, o] of ops.entries()) {
            const a = apply(flat, o);
            const b = apply(general, o);
            if (a !== b) throw new Error(`op ${i} (${JSON.stringify(o)}): ${a} on the flat path, ${b} on the general one`);
            const [sa, sb] = [stateOf(flat), stateOf(general)];
            const part = sa.findIndex((s, k) => s !== sb[k]);
            if (part >= 0) throw new Error(`op ${i} (${JSON.stringify(o)}): ${sa[part]} on the flat path, ${sb[part]} on the general one`);
          }
          expect(mirrorOf(flat.mmu)).toEqual(mirrorOf(general.mmu));
          misses += flat.mmu.counters.misses;
          // The next runs take these arrays (Mmu.release): anything either path left in them would show there.
          flat.mmu.release();
          general.mmu.release();
        },
      ),
      { numRuns: 150 },
    );
    // Ninety pages over sets of four ways: most accesses miss into a full set, the flat path's case.
    expect(misses).toBeGreaterThan(150 * 40);
  });
});
