import { describe, expect, it } from "vitest";
import { NO_DELTAS, deltaOf, pageDelta, pageDeltas, type PageMove } from "../../../src/sim/trace/page-deltas.js";

const PAGES = 1 << 20;

/** Every page's delta under `moves`, one by one (what the table must give). */
function flatDeltas(moves: readonly PageMove[]): Int32Array {
  const flat = new Int32Array(PAGES);
  for (const m of moves) flat.fill(m.delta, m.start, m.end);
  return flat;
}

function expectEveryPage(moves: readonly PageMove[]): void {
  const table = pageDeltas(moves);
  const flat = flatDeltas(moves);
  for (let p = 0; p < PAGES; p++) {
    if (pageDelta(table, p) !== flat[p]) expect(`page 0x${p.toString(16)}: ${pageDelta(table, p)}`).toBe(`page 0x${p.toString(16)}: ${flat[p]}`);
  }
}

describe("the table of page deltas", () => {
  it("gives a 4 MiB block moved whole its delta in one entry, and keeps page deltas only for blocks whose pages move apart", () => {
    const moves = [
      { start: 3 * 1024, end: 4 * 1024, delta: 0x5000 }, // block 3: whole
      { start: 4 * 1024 + 10, end: 4 * 1024 + 20, delta: 0x2000 }, // block 4: a region beside untouched pages
      { start: 0xffc00, end: 0x100000, delta: -0x7000_0000 }, // the top block, whole, moved down
    ];
    const table = pageDeltas(moves);
    expect(table.length).toBe(1024 + 1024); // block entries, then block 4's pages
    expect(table[3]).toBe(0x5000);
    expect(table[1023]).toBe(-0x7000_0000);
    expect(table[4] % 2).toBe(1); // not a delta (deltas are whole pages): its pages' own
    expectEveryPage(moves);
  });

  it("gives every page its region's delta, regions crossing blocks and sharing ragged blocks, and 0 to pages no region covers", () => {
    const moves = [
      { start: 0x8048, end: 0x8061, delta: 0x1000_0000 - 0x8048 * 4096 },
      { start: 0x8062, end: 0x8a00, delta: 0x2000_0000 - 0x8062 * 4096 }, // shares block 0x20 with the one before
      { start: 0x40000 - 5, end: 0x40000 + 3000, delta: 0x4000 }, // a ragged end, whole blocks, a ragged start
      { start: 0xbfff0, end: 0xc0000, delta: -0x1000 },
    ];
    expectEveryPage(moves);
  });

  it("reads an address's delta from its page, whatever its offset and however high (above 2 GiB)", () => {
    const table = pageDeltas([{ start: 0xfeff0, end: 0xff000, delta: -0x4000 }]);
    expect(deltaOf(table, 0xfeff0abc)).toBe(-0x4000);
    expect(deltaOf(table, 0xfeff0abc | 0)).toBe(-0x4000);
    expect(deltaOf(table, 0xfefefffc)).toBe(0);
  });

  it("NO_DELTAS leaves every page in place", () => {
    for (const a of [0, 0x08048000, 0x7fffffff, 0xfffff000]) expect(deltaOf(NO_DELTAS, a)).toBe(0);
  });
});
