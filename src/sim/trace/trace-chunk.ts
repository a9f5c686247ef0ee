/**
 * A trace is read as a stream of chunks: preallocated typed arrays that a
 * reader refills in place, so replaying millions of accesses allocates
 * nothing per access. A chunk is only valid until the reader is asked for
 * the next one.
 *
 * Addresses are 32-bit words; a 64-bit program's trace (lackey on x86-64)
 * also has addresses at or above 4 GiB, whose upper 32 bits go in a second
 * column that only such chunks use: a 32-bit trace's path never reads it.
 */

/** Access kinds, as lackey names them. */
export const TRACE_KIND = {
  /** `I`: instruction fetch (a user read; the i386 has no execute permission). */
  FETCH: 0,
  /** `L`: data load. */
  LOAD: 1,
  /** `S`: data store. */
  STORE: 2,
  /** `M`: data modify, one access that both reads and writes. */
  MODIFY: 3,
} as const;
export type TraceKind = (typeof TRACE_KIND)[keyof typeof TRACE_KIND];

/** Lackey's letter for each kind, indexed by TRACE_KIND. */
export const KIND_LETTERS = ["I", "L", "S", "M"] as const;

/** Largest access size a trace may carry (one page: an access touches at most two pages). */
export const MAX_ACCESS_SIZE = 4096;

/** Accesses per chunk unless a reader is told otherwise. */
export const DEFAULT_CHUNK_CAPACITY = 65536;

/** A batch of accesses in parallel typed arrays; entries [0, length) are valid. */
export class TraceChunk {
  /** Byte addresses as int32 bits (`>>> 0` for the unsigned value); the low 32 bits of a 64-bit address. */
  readonly addr: Int32Array;
  /**
   * The upper 32 bits of each address. All zero unless `wide`: a reader that
   * writes a non-zero word sets `wide`, and `clear` zeroes the column again.
   */
  readonly addrHigh: Uint32Array;
  /** Some access of the chunk is at or above 4 GiB (a 64-bit program's trace). */
  wide = false;
  /** TRACE_KIND of each access. */
  readonly kind: Uint8Array;
  /** Size in bytes, 1..MAX_ACCESS_SIZE. */
  readonly size: Uint16Array;
  length = 0;

  constructor(readonly capacity: number = DEFAULT_CHUNK_CAPACITY) {
    this.addr = new Int32Array(capacity);
    this.addrHigh = new Uint32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.size = new Uint16Array(capacity);
  }

  /** Empties the chunk for refilling (the upper-address column back to zeros). */
  clear(): void {
    this.length = 0;
    if (this.wide) {
      this.addrHigh.fill(0);
      this.wide = false;
    }
  }
}

/** The page number of access `i` of a chunk (above 2^20 - 1 only for a wide chunk's accesses at or above 4 GiB). */
export function pageOf(chunk: TraceChunk, i: number): number {
  return chunk.addrHigh[i] * PAGES_PER_4G + (chunk.addr[i] >>> 12);
}

/** Pages in 4 GiB: the page number of an address is its upper word times this plus its low word's page. */
export const PAGES_PER_4G = 1 << 20;

/**
 * The second page of an access straddling from page `first`: the next one,
 * except that a page below 4 GiB wraps to page 0, as the i386's linear
 * addresses do (a 32-bit trace's readers and replay all wrap there).
 */
export function secondPage(first: number): number {
  return first < PAGES_PER_4G ? (first + 1) & (PAGES_PER_4G - 1) : first + 1;
}

/**
 * The second page an access of `size` bytes at `addr` touches, or -1 when
 * its bytes stay in one page: the one place a straddling access is split.
 * Its page references are its first page, then this one (the traces
 * README's rule); past the top of the address space it wraps to page 0.
 */
export function straddlePage(addr: number, size: number): number {
  return isStraddle(addr, size) ? ((addr >>> 12) + 1) & 0xfffff : -1;
}

/** True if an access of `size` bytes at `addr` (its low 32 bits will do) spans two pages. */
export function isStraddle(addr: number, size: number): boolean {
  return (addr & 0xfff) + size > 0x1000;
}

/** Number of page references an access makes: 2 if its bytes span two 4 KiB pages, else 1. */
export function referencesOf(addr: number, size: number): number {
  return straddlePage(addr, size) < 0 ? 1 : 2;
}
