/**
 * Nothing lost under a random workload: several processes fork, exit, write,
 * read, move their break, unmap and remap, and copy out, on a machine small
 * enough to swap hard; every read is checked against a plain model of each
 * process's memory, the invariant checker runs after every kernel operation,
 * and strict TLB mode catches any missing invalidation. Every CPU model and
 * every policy that needs no future knowledge.
 */

import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CPU_NAMES } from "../../src/machine/cpu-model.js";
import { USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { POLICY_NAMES } from "../../src/kernel/replacement/index.js";
import { type AddressSpace, PROT } from "../../src/kernel/vmm.js";
import { type TestSystem, bootTestSystem, copyOut, expectHealthy, read32, write32 } from "./helpers.js";

const HEAP_PAGES = 12;
const MMAP_PAGES = 6;
const STACK_PAGES = 4;

interface Proc {
  space: AddressSpace;
  words: Map<number, number>;
  heapPages: number;
  mapped: boolean;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Runs `ops` random operations; `rand` returns numbers in [0, 1). */
function runWorkload(sys: TestSystem, rand: () => number, ops: number): void {
  const pick = (n: number): number => Math.floor(rand() * n);
  const procs: Proc[] = [];
  const spawn = (): void => {
    const space = sys.vmm.createAddressSpace();
    if (space === null) return;
    sys.vmm.switchAddressSpace(space);
    expect(sys.vmm.brk(space, USER_HEAP_BASE + HEAP_PAGES * 4096)).toBe(true);
    expect(sys.vmm.mmap(space, USER_SHARED_BASE, MMAP_PAGES * 4096, PROT.READ | PROT.WRITE)).toBe(true);
    procs.push({ space, words: new Map(), heapPages: HEAP_PAGES, mapped: true });
  };
  const randomVa = (p: Proc): number => {
    const word = pick(1024) * 4;
    const region = pick(3);
    if (region === 0 && p.heapPages > 0) return USER_HEAP_BASE + pick(p.heapPages) * 4096 + word;
    if (region === 1 && p.mapped) return USER_SHARED_BASE + pick(MMAP_PAGES) * 4096 + word;
    return USER_STACK_TOP - (pick(STACK_PAGES) + 1) * 4096 + word;
  };
  const dropPages = (p: Proc, from: number, to: number): void => {
    for (const va of [...p.words.keys()]) if (va >= from && va < to) p.words.delete(va);
  };
  spawn();
  for (let op = 0; op < ops; op++) {
    if (procs.length === 0) spawn();
    const p = procs[pick(procs.length)];
    sys.vmm.switchAddressSpace(p.space);
    const what = pick(100);
    if (what < 40) {
      const va = randomVa(p);
      const value = (rand() * 2 ** 32) | 0;
      write32(sys, va, value);
      p.words.set(va, value);
    } else if (what < 75) {
      const va = randomVa(p);
      // expect() only on a mismatch: one per read, with its message built, was most of the test's time.
      const got = read32(sys, va);
      const want = p.words.get(va) ?? 0;
      if (got !== want) expect(got, `op ${op}: read of 0x${va.toString(16)} in space ${p.space.id}`).toBe(want);
    } else if (what < 80 && procs.length < 4) {
      const child = sys.vmm.cloneAddressSpace(p.space);
      if (child !== null) procs.push({ space: child, words: new Map(p.words), heapPages: p.heapPages, mapped: p.mapped });
    } else if (what < 84 && procs.length > 1) {
      sys.vmm.destroyAddressSpace(p.space);
      procs.splice(procs.indexOf(p), 1);
    } else if (what < 88) {
      const pages = pick(HEAP_PAGES + 1);
      expect(sys.vmm.brk(p.space, USER_HEAP_BASE + pages * 4096)).toBe(true);
      if (pages < p.heapPages) dropPages(p, USER_HEAP_BASE + pages * 4096, USER_HEAP_BASE + p.heapPages * 4096);
      p.heapPages = pages;
    } else if (what < 92) {
      if (p.mapped) {
        expect(sys.vmm.munmap(p.space, USER_SHARED_BASE, MMAP_PAGES * 4096)).toBe(true);
        dropPages(p, USER_SHARED_BASE, USER_SHARED_BASE + MMAP_PAGES * 4096);
      } else {
        expect(sys.vmm.mmap(p.space, USER_SHARED_BASE, MMAP_PAGES * 4096, PROT.READ | PROT.WRITE)).toBe(true);
      }
      p.mapped = !p.mapped;
    } else if (what < 97) {
      const va = (randomVa(p) & ~0xf) >>> 0;
      const bytes = new Uint8Array(16).map(() => pick(256));
      expect(copyOut(sys, va, bytes)).toBe(true);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < 16; i += 4) p.words.set(va + i, view.getInt32(i, true));
    } else {
      sys.vmm.tick(op * 10);
    }
  }
  for (const p of procs) {
    sys.vmm.switchAddressSpace(p.space);
    for (const [va, value] of p.words) {
      const got = read32(sys, va);
      if (got !== value) expect(got, `read of 0x${va.toString(16)} in space ${p.space.id} at the end`).toBe(value);
    }
  }
  expectHealthy(sys);
  for (const p of procs) sys.vmm.destroyAddressSpace(p.space);
  expect(sys.vmm.residentUserPages).toBe(0);
  expect(sys.vmm.swap?.usedSlots ?? 0).toBe(0);
  expectHealthy(sys);
}

describe("a random workload loses nothing", () => {
  for (const cpu of CPU_NAMES) {
    it(`on a swapping ${cpu}`, () => {
      const sys = bootTestSystem({ cpu, userFrameLimit: 20 });
      runWorkload(sys, rng(0x9e3779b9 ^ cpu.length), 1200);
      expect(sys.vmm.stat.pswpout).toBeGreaterThan(50);
      expect(sys.vmm.vmm386.cow_copy + sys.vmm.stat.pgreuse).toBeGreaterThan(0);
    });
  }
  for (const policy of POLICY_NAMES.filter((p) => p !== "opt")) {
    it(`with the ${policy} policy`, () => {
      const sys = bootTestSystem({ policy, userFrameLimit: 16 });
      runWorkload(sys, rng(12345 + policy.length), 1200);
      expect(sys.vmm.stat.pswpin).toBeGreaterThan(50);
    });
  }
  it("when RAM itself runs out (no user-frame limit)", () => {
    const kernel = { textStart: 0x100000, textEnd: 0x180000, end: 0x1c0000 };
    const sys = bootTestSystem({ ramBytes: 2 * 1024 * 1024, cpu: "i386", kernel });
    runWorkload(sys, rng(777), 1200);
    expect(sys.vmm.stat.pswpout).toBeGreaterThan(0);
  });
});

describe("a random workload, as a property (shrunk to a minimal failing sequence)", () => {
  it("loses nothing for any sequence of choices", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 20, maxLength: 400 }), (choices) => {
        const sys = bootTestSystem({ cpu: "i386", userFrameLimit: 12 });
        let i = 0;
        runWorkload(sys, () => choices[i++ % choices.length], choices.length / 2);
      }),
      { numRuns: 15, seed: 4242 },
    );
  });
});
