/**
 * Where the layout mapper moves each trace page below 4 GiB, as the byte
 * delta added to its addresses, in a table sized to the trace: one entry
 * per 4 MiB block (4 KiB in all), and 1,024 page deltas only for a block
 * whose pages move apart (a region's ragged end, untouched pages beside
 * touched ones). A flat table of every page's delta was 4 MiB per replay
 * outside the JS heap, zeroed, copied and scanned, and its allocation
 * forced a full garbage collection about once per small replay.
 *
 * Layout of the Int32Array: entry b < 1,024 is block b's delta when all its
 * pages move alike (a whole number of pages: even), else 1 + the index of
 * its 1,024 page deltas further on (odd). The replay reads it per access
 * (deltaOf): one load, one test, and a second load in a ragged block; the
 * 4 KiB of block entries stay in the host's L1 cache.
 */

const BLOCKS = 1024;
const BLOCK_PAGES = 1024;

/** Page deltas as laid out above (build with pageDeltas, read with deltaOf or pageDelta). */
export type PageDeltas = Int32Array;

/** Pages [start, end) (below 2^20) moved by `delta` bytes (a whole number of pages). */
export interface PageMove {
  readonly start: number;
  readonly end: number;
  readonly delta: number;
}

/** The table of every page staying where it is (a 64-bit trace's chunks, already in EYN-OS addresses). */
export const NO_DELTAS: PageDeltas = new Int32Array(BLOCKS);

/** The table of `moves` (disjoint); a page no move covers keeps delta 0. */
export function pageDeltas(moves: readonly PageMove[]): PageDeltas {
  const ragged = new Int32Array(BLOCKS); // 1 + index among the ragged blocks, or 0
  let raggedCount = 0;
  const blocks = new Int32Array(BLOCKS);
  for (const m of moves) {
    for (let b = m.start >>> 10; m.end > m.start && b <= (m.end - 1) >>> 10; b++) {
      if (m.start <= b * BLOCK_PAGES && (b + 1) * BLOCK_PAGES <= m.end) blocks[b] = m.delta;
      else if (ragged[b] === 0) ragged[b] = ++raggedCount;
    }
  }
  const table = new Int32Array(BLOCKS + raggedCount * BLOCK_PAGES);
  table.set(blocks);
  for (let b = 0; b < BLOCKS; b++) if (ragged[b] !== 0) table[b] = pagesAt(ragged[b] - 1) + 1;
  for (const m of moves) {
    for (let b = m.start >>> 10; m.end > m.start && b <= (m.end - 1) >>> 10; b++) {
      if (ragged[b] === 0) continue;
      const first = b * BLOCK_PAGES;
      const at = pagesAt(ragged[b] - 1) - first;
      table.fill(m.delta, at + Math.max(m.start, first), at + Math.min(m.end, first + BLOCK_PAGES));
    }
  }
  return table;
}

/** Where the page deltas of the k-th ragged block start in the table. */
function pagesAt(k: number): number {
  return BLOCKS + k * BLOCK_PAGES;
}

/** The delta of trace address `a` (below 4 GiB). */
export function deltaOf(deltas: PageDeltas, a: number): number {
  const d = deltas[a >>> 22];
  return (d & 1) === 0 ? d : deltas[d - 1 + ((a >>> 12) & (BLOCK_PAGES - 1))];
}

/** The delta of trace page `page` (below 2^20). */
export function pageDelta(deltas: PageDeltas, page: number): number {
  return deltaOf(deltas, page << 12);
}
