import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FreeIndex } from "../../src/kernel/free-index.js";
import { SwapArea } from "../../src/kernel/swap-area.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";

/** The lowest member of a plain set, as the seed's scan would find it. */
function lowestOf(free: Set<number>): number {
  let lowest = -1;
  for (const n of free) if (lowest < 0 || n < lowest) lowest = n;
  return lowest;
}

describe("FreeIndex", () => {
  it("finds the lowest free number through every level, up to the 2^20 slots a PTE can name", () => {
    const index = new FreeIndex(1 << 20, false);
    expect(index.lowest()).toBe(-1);
    for (const n of [1_000_000, 65_537, 1_048_575, 33]) index.give(n);
    expect(index.count).toBe(4);
    const order: number[] = [];
    for (let n = index.lowest(); n >= 0; n = index.lowest()) {
      order.push(n);
      index.take(n);
    }
    expect(order).toEqual([33, 65_537, 1_000_000, 1_048_575]);
  });

  it("starts with every number free, a partial last word included", () => {
    for (const size of [0, 1, 31, 32, 33, 1025, 32 * 32 * 32 + 5]) {
      const index = new FreeIndex(size, true);
      expect(index.count).toBe(size);
      let inOrder = 0;
      for (let n = index.lowest(); n >= 0 && n === inOrder; n = index.lowest()) {
        index.take(n);
        inOrder++;
      }
      expect(inOrder).toBe(size);
      expect(index.lowest()).toBe(-1);
    }
  });

  it("agrees with a plain set under any mix of takes and gives", () => {
    const size = 5000;
    const op = fc.record({ give: fc.boolean(), n: fc.nat(size - 1) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const index = new FreeIndex(size, true);
        const free = new Set(Array.from({ length: size }, (_, n) => n));
        for (const { give, n } of ops) {
          if (give && !free.has(n)) {
            index.give(n);
            free.add(n);
          } else if (!give && free.has(n)) {
            index.take(n);
            free.delete(n);
          }
          expect(index.lowest()).toBe(lowestOf(free));
          expect(index.has(n)).toBe(free.has(n));
        }
        expect(index.count).toBe(free.size);
      }),
    );
  });
});

describe("SwapArea slot allocation", () => {
  const area = (slots: number): SwapArea => new SwapArea(new MemoryBlockDevice(8 * slots + 8), 8, slots, 16);

  it("hands out the lowest free slot, as the seed's scan did, and never a retired one", () => {
    const swap = area(100);
    for (let s = 0; s < 10; s++) expect(swap.allocSlot()).toBe(s);
    swap.release(7);
    swap.release(3);
    expect(swap.allocSlot()).toBe(3);
    swap.retire(swap.allocSlot()); // slot 7, its write failed
    expect(swap.allocSlot()).toBe(10);
    expect(swap.badSlots).toBe(1);
    expect(swap.freeSlots).toBe(100 - 10 - 1);
  });

  it("fills up, refuses, and frees a slot with its last reference", () => {
    const swap = area(4);
    for (let s = 0; s < 4; s++) swap.setReferences(swap.allocSlot(), 2);
    expect(swap.allocSlot()).toBe(-1);
    swap.dropReference(2);
    expect(swap.allocSlot()).toBe(-1);
    swap.dropReference(2);
    expect(swap.freeSlots).toBe(1);
    expect(swap.allocSlot()).toBe(2);
  });
});
