/**
 * A set of free numbers 0..size-1 that finds its lowest member in constant
 * time: the swap area's index of free slots (swap-area.ts).
 *
 * The seed found a free slot by scanning its slot array from a hint, so a
 * fault cost grew with the slots in use (74 % of a swap-heavy replay went
 * into that scan at 150,000 pages). Linux avoids the scan with clusters and
 * lists of free and non-full clusters. This index does the same with bits:
 * level 0 has one bit per number (1 = free); each 32-bit word is a cluster,
 * and level 1 has one bit per cluster with a free number (the non-full
 * list); each further level summarises the one below, up to a single word.
 * Finding, taking and giving a number touch one word per level: four levels
 * cover the 2^20 slots a PTE can name.
 *
 * Unlike Linux's lists, the summary is ordered, so the lowest free number
 * comes first. That is exactly the slot the seed's scan chose (a freed slot
 * moved its hint back, so every slot below the hint was in use): slot
 * numbers, and the swap image's layout, are what they were.
 */

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export class FreeIndex {
  readonly size: number;
  /** levels[0]: a bit per number; levels[i + 1]: a bit per non-zero word of levels[i]; the last has one word. */
  private readonly levels: Int32Array[];
  private free = 0;

  /** A set of `size` numbers, all free when `allFree`, else none. */
  constructor(size: number, allFree: boolean) {
    this.size = size;
    const levels: Int32Array[] = [];
    let bits = Math.max(size, 1);
    do {
      bits = Math.ceil(bits / 32);
      levels.push(new Int32Array(bits));
    } while (bits > 1);
    this.levels = levels;
    if (allFree) this.fill();
  }

  /** Free numbers. */
  get count(): number {
    return this.free;
  }

  /** True when `n` is free. */
  has(n: number): boolean {
    return (this.levels[0][n >>> 5] & (1 << (n & 31))) !== 0;
  }

  /** The lowest free number, or -1 when none is. */
  lowest(): number {
    const levels = this.levels;
    let index = 0;
    for (let l = levels.length - 1; l >= 0; l--) {
      const word = levels[l][index];
      if (word === 0) return -1; // only the top word can be empty: a lower one is reached through a set bit
      index = (index << 5) | lowestBit(word);
    }
    return index;
  }

  /** Every number free: at each level, the first bit of each member (number or non-empty word) set. */
  private fill(): void {
    let members = this.size;
    for (const level of this.levels) {
      level.fill(-1, 0, members >>> 5);
      if ((members & 31) !== 0) level[members >>> 5] = (1 << (members & 31)) - 1;
      members = level.length;
    }
    this.free = this.size;
  }

  /** Marks free `n` taken. */
  take(n: number): void {
    this.mark(n, false);
    this.free--;
  }

  /** Marks taken `n` free. */
  give(n: number): void {
    this.mark(n, true);
    this.free++;
  }

  /** Sets `n`'s bit to `free`, and a cluster's bit in the level above when the cluster fills up or stops being full. */
  private mark(n: number, free: boolean): void {
    let index = n;
    for (const level of this.levels) {
      const w = index >>> 5;
      const old = level[w];
      const bit = 1 << (index & 31);
      const word = free ? old | bit : old & ~bit;
      level[w] = word;
      if (free ? old !== 0 : word !== 0) break;
      index = w;
    }
  }
}
