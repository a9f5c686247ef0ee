import { describe, expect, it } from "vitest";
import { ACCESS, CR0, CR4, PF, PTE } from "../../src/machine/i386.js";
import { CPU_MODELS, type CpuName } from "../../src/machine/cpu-model.js";
import { PhysicalMemory } from "../../src/machine/physical-memory.js";
import { FAULT, Mmu, type MmuOptions } from "../../src/machine/mmu.js";

const PD = 0x10000;
const P = PTE.PRESENT;
const RW = PTE.RW;
const U = PTE.USER;

/** A 16 MiB machine with an empty directory at PD, paging on; `map` adds 4 KiB pages. */
function machine(cpu: CpuName = "i486", { wp = true, ...options }: MmuOptions & { wp?: boolean } = {}) {
  const memory = new PhysicalMemory(16 * 1024 * 1024);
  const mmu = new Mmu(memory, CPU_MODELS[cpu], options);
  let nextTable = 0x20000;
  const pdeAddr = (va: number) => PD + (va >>> 22) * 4;
  const pteAddr = (va: number) => (memory.read32(pdeAddr(va)) & ~0xfff) + ((va >>> 12) & 0x3ff) * 4;
  const map = (va: number, pfn: number, flags = P | RW | U, pdeFlags = P | RW | U) => {
    if ((memory.read32(pdeAddr(va)) & P) === 0) {
      memory.write32(pdeAddr(va), nextTable | pdeFlags);
      nextTable += 0x1000;
    }
    memory.write32(pteAddr(va), (pfn << 12) | flags);
  };
  mmu.loadCr3(PD);
  mmu.setCr0(CR0.PE | CR0.PG | (wp ? CR0.WP : 0));
  return { memory, mmu, map, pdeAddr, pteAddr };
}

describe("Mmu page walk", () => {
  it("translates through directory and table, setting A in both and D only on a write", () => {
    const { mmu, memory, map, pdeAddr, pteAddr } = machine();
    map(0x00401000, 0x123);
    expect(mmu.translate(0x00401abc, ACCESS.READ)).toBe(0x123);
    expect(memory.read32(pdeAddr(0x00401000)) & (PTE.ACCESSED | PTE.DIRTY)).toBe(PTE.ACCESSED);
    expect(memory.read32(pteAddr(0x00401000)) & (PTE.ACCESSED | PTE.DIRTY)).toBe(PTE.ACCESSED);
    expect(mmu.translate(0x00401abc, ACCESS.WRITE)).toBe(0x123);
    expect(memory.read32(pteAddr(0x00401000)) & PTE.DIRTY).toBe(PTE.DIRTY);
    expect(memory.read32(pdeAddr(0x00401000)) & PTE.DIRTY).toBe(0);
  });

  it("reports a not-present page with cr2 = the address and an error code of W|U only", () => {
    const { mmu } = machine();
    expect(mmu.translate(0x00800004, ACCESS.USER_WRITE)).toBe(FAULT);
    expect(mmu.cr2).toBe(0x00800004);
    expect(mmu.errorCode).toBe(PF.WRITE | PF.USER);
  });

  it("takes effective rights as the AND of both levels", () => {
    const { mmu, map } = machine();
    map(0x00400000, 0x200, P | RW | U, P | U); // directory read-only
    map(0x00800000, 0x201, P | RW | U, P | RW); // directory supervisor-only
    expect(mmu.translate(0x00400000, ACCESS.USER_READ)).toBe(0x200);
    expect(mmu.translate(0x00400000, ACCESS.USER_WRITE)).toBe(FAULT);
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.WRITE | PF.USER);
    expect(mmu.translate(0x00800000, ACCESS.USER_READ)).toBe(FAULT);
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.USER);
    expect(mmu.translate(0x00800000, ACCESS.WRITE)).toBe(0x201);
  });

  it("faults a supervisor write to a read-only page on an i486 with CR0.WP, and lets it through on an i386", () => {
    const i486 = machine("i486");
    i486.map(0x00400000, 0x300, P | U);
    expect(i486.mmu.translate(0x00400010, ACCESS.WRITE)).toBe(FAULT);
    expect(i486.mmu.errorCode).toBe(PF.PRESENT | PF.WRITE);

    const i386 = machine("i386");
    expect(i386.mmu.cr0 & CR0.WP).toBe(0); // the 386 has no WP bit to set
    i386.map(0x00400000, 0x300, P | U);
    expect(i386.mmu.translate(0x00400010, ACCESS.WRITE)).toBe(0x300);
    expect(i386.memory.read32(i386.pteAddr(0x00400000)) & PTE.DIRTY).toBe(PTE.DIRTY);
    expect(i386.mmu.translate(0x00400010, ACCESS.USER_WRITE)).toBe(FAULT); // users never write read-only pages
  });

  it("maps a 4 MiB page under CR4.PSE, setting A and D in the PDE, and faults P|RSVD on reserved bit 21", () => {
    const { mmu, memory } = machine("pentium");
    mmu.setCr4(CR4.PSE);
    memory.write32(PD + 4 * 4, 0x00c00000 | PTE.PS | P | RW | U); // 0x01000000..: frame 0xC00000
    expect(mmu.translate(0x01234567, ACCESS.USER_WRITE)).toBe(0xc00 + 0x234);
    expect(memory.read32(PD + 16) & (PTE.ACCESSED | PTE.DIRTY)).toBe(PTE.ACCESSED | PTE.DIRTY);
    memory.write32(PD + 5 * 4, 0x00800000 | (1 << 21) | PTE.PS | P | RW | U);
    expect(mmu.translate(0x01400000, ACCESS.READ)).toBe(FAULT);
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.RSVD);
    expect(memory.read32(PD + 20) & PTE.ACCESSED).toBe(0);
  });

  it("ignores PS without CR4.PSE, and an i486 cannot set CR4.PSE", () => {
    const { mmu, memory, map, pdeAddr } = machine("i486");
    map(0x00400000, 0x321);
    memory.write32(pdeAddr(0x00400000), memory.read32(pdeAddr(0x00400000)) | PTE.PS);
    mmu.setCr4(CR4.PSE);
    expect(mmu.cr4 & CR4.PSE).toBe(0);
    expect(mmu.translate(0x00400000, ACCESS.READ)).toBe(0x321);
  });

  it("shows page table N at 0xFFC00000 + N*4096 and the directory at 0xFFFFF000 through the recursive slot", () => {
    const { mmu, memory, map } = machine();
    memory.write32(PD + 1023 * 4, PD | P | RW);
    map(0x00400000, 0x400); // directory slot 1 gets a table
    map(0xc0000000, 0x401); // slot 768
    const table1 = memory.read32(PD + 4) >>> 12;
    const table768 = memory.read32(PD + 768 * 4) >>> 12;
    expect(mmu.translate(0xffc00000 + 1 * 4096, ACCESS.READ)).toBe(table1);
    expect(mmu.translate(0xffc00000 + 768 * 4096, ACCESS.WRITE)).toBe(table768);
    expect(mmu.translate(0xfffff000, ACCESS.READ)).toBe(PD >>> 12);
    // Reading a PTE through the window reads the very word the walk uses.
    const pte = mmu.translate(0xffc00000 + 1 * 4096, ACCESS.READ) * 4096 + ((0x00400000 >>> 12) & 0x3ff) * 4;
    expect(memory.read32(pte) >>> 12).toBe(0x400);
    expect(mmu.translate(0xffc00000 + 2 * 4096, ACCESS.READ)).toBe(FAULT); // slot 2 is empty
  });

  it("translates both pages of a straddling access, first page first", () => {
    const { mmu, memory, map, pteAddr } = machine();
    map(0x00400000, 0x500);
    map(0x00401000, 0x777);
    expect(mmu.access(0x00400ffe, 4, ACCESS.USER_WRITE)).toBe(0x500);
    expect(mmu.secondPfn).toBe(0x777);
    expect(mmu.access(0x00400ff0, 4, ACCESS.READ)).toBe(0x500);
    expect(mmu.secondPfn).toBe(-1);

    map(0x00402000, 0x501, P | U); // read-only
    expect(mmu.access(0x00402ffd, 4, ACCESS.USER_WRITE)).toBe(FAULT);
    expect(mmu.cr2).toBe(0x00402ffd);
    expect(mmu.errorCode).toBe(PF.PRESENT | PF.WRITE | PF.USER);

    map(0x00404000, 0x502);
    expect(mmu.access(0x00404fff, 2, ACCESS.USER_WRITE)).toBe(FAULT); // 0x405000 is not mapped
    expect(mmu.cr2).toBe(0x00405000);
    expect(mmu.errorCode).toBe(PF.WRITE | PF.USER);
    expect(memory.read32(pteAddr(0x00404000)) & (PTE.ACCESSED | PTE.DIRTY)).toBe(PTE.ACCESSED | PTE.DIRTY);
  });

  it("translates identically with paging off, without touching the TLB", () => {
    const memory = new PhysicalMemory(1024 * 1024);
    const mmu = new Mmu(memory, CPU_MODELS.p6);
    expect(mmu.translate(0x12345678, ACCESS.USER_WRITE)).toBe(0x12345);
    expect(mmu.counters.toJSON()).toMatchObject({ translations: 1, hits: 0, misses: 0, walks: 0 });
  });

  it("probes the tables without setting A or D, changing cr2, or filling the TLB", () => {
    const { mmu, memory, map, pteAddr } = machine();
    map(0x00400000, 0x600, P | RW | U | PTE.DIRTY);
    expect(mmu.probe(0x00400123)).toBe(0x600);
    expect(mmu.probeBits & (RW | U | PTE.DIRTY)).toBe(RW | U | PTE.DIRTY);
    expect(mmu.probe(0x00800000)).toBe(FAULT);
    expect(mmu.cr2).toBe(0);
    expect(memory.read32(pteAddr(0x00400000)) & PTE.ACCESSED).toBe(0);
    expect(mmu.tlb.occupancy).toBe(0);
  });

  it("ignores the OS-available bits 9-11 of an entry", () => {
    const { mmu, map } = machine();
    map(0x00400000, 0x700, P | RW | U | PTE.AVAILABLE_MASK);
    expect(mmu.translate(0x00400000, ACCESS.USER_WRITE)).toBe(0x700);
  });
});
