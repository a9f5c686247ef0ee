/**
 * A trace is read as a stream of chunks: preallocated typed arrays that a
 * reader refills in place, so replaying millions of accesses allocates
 * nothing per access. A chunk is only valid until the reader is asked for
 * the next one.
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
  /** Byte addresses as int32 bits (`>>> 0` for the unsigned value). */
  readonly addr: Int32Array;
  /** TRACE_KIND of each access. */
  readonly kind: Uint8Array;
  /** Size in bytes, 1..MAX_ACCESS_SIZE. */
  readonly size: Uint16Array;
  length = 0;

  constructor(readonly capacity: number = DEFAULT_CHUNK_CAPACITY) {
    this.addr = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.size = new Uint16Array(capacity);
  }
}

/** Number of page references an access makes: 2 if its bytes span two 4 KiB pages, else 1. */
export function referencesOf(addr: number, size: number): number {
  return (addr >>> 12) === ((addr + size - 1) >>> 12) ? 1 : 2;
}
