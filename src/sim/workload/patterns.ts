/**
 * Access patterns for `touch` steps: a stream of offsets inside a range,
 * each marked read or write. Streams are plain state machines (no
 * generators, no allocation per access) so a touch of millions of accesses
 * costs only the System's access path.
 *
 * - sequential: every `stride` bytes (default 64, a cache line) from the start;
 * - strided: the same with a page-sized default stride (one access per page);
 * - loop: sequential, `loops` times over (default 4) — a cyclic working set;
 * - random: `count` accesses uniformly over the range (default: one per page);
 * - hotcold: `count` accesses, `hotProbability` of them (default 0.8) in the
 *   first `hotFraction` of the range (default 0.2), the rest in the remainder.
 */
import { PAGE_SIZE } from "../../machine/i386.js";
import { Rng } from "./rng.js";

export const PATTERN_NAMES = ["sequential", "random", "strided", "hotcold", "loop"] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];
export type AccessMode = "read" | "write" | "mixed";

/** A fully resolved pattern: every default filled in. */
export interface PatternSpec {
  readonly pattern: PatternName;
  /** Bytes in the range; offsets stay in [0, length - size]. */
  readonly length: number;
  readonly access: AccessMode;
  readonly writeRatio: number;
  readonly stride: number;
  readonly count: number;
  readonly loops: number;
  readonly hotFraction: number;
  readonly hotProbability: number;
  /** Bytes per access: 1, 2 or 4. */
  readonly size: number;
  readonly seed: number;
}

/** What a scenario may leave out of a pattern. */
export type PatternInput = Partial<PatternSpec> & { readonly length: number };

/** Fills in the defaults of each pattern (documented at the top of this file). */
export function resolvePattern(input: PatternInput): PatternSpec {
  const pattern = input.pattern ?? "sequential";
  const size = input.size ?? 4;
  const stride = input.stride ?? (pattern === "strided" ? PAGE_SIZE : 64);
  return {
    pattern,
    length: input.length,
    access: input.access ?? "read",
    writeRatio: input.writeRatio ?? 0.5,
    stride: Math.max(1, stride),
    count: input.count ?? Math.max(1, Math.ceil(input.length / PAGE_SIZE)),
    loops: input.loops ?? (pattern === "loop" ? 4 : 1),
    hotFraction: input.hotFraction ?? 0.2,
    hotProbability: input.hotProbability ?? 0.8,
    size,
    seed: input.seed ?? 1,
  };
}

/** Accesses a pattern will make, without running it. */
export function patternAccessCount(spec: PatternSpec): number {
  if (spec.length < spec.size) return 0;
  if (spec.pattern === "random" || spec.pattern === "hotcold") return spec.count;
  return Math.ceil((spec.length - spec.size + 1) / spec.stride) * spec.loops;
}

/** A stream of offsets; `next()` returns -1 when done, and `write` says what the last offset is. */
export class AccessStream {
  readonly total: number;
  /** True if the offset last returned by `next()` is a write. */
  write = false;
  private produced = 0;
  private readonly spec: PatternSpec;
  private readonly rng: Rng;
  private readonly perLoop: number;
  private readonly slots: number;
  private readonly hotSlots: number;

  constructor(spec: PatternSpec) {
    this.spec = spec;
    this.total = patternAccessCount(spec);
    this.rng = new Rng(spec.seed);
    this.perLoop = Math.ceil((spec.length - spec.size + 1) / spec.stride);
    this.slots = Math.max(1, Math.floor(spec.length / spec.size));
    const hotBytes = Math.max(PAGE_SIZE, Math.floor((spec.length * spec.hotFraction) / PAGE_SIZE) * PAGE_SIZE);
    this.hotSlots = Math.min(this.slots, Math.max(1, Math.floor(hotBytes / spec.size)));
  }

  /** The next offset in the range, or -1 when the stream is exhausted. */
  next(): number {
    if (this.produced >= this.total) return -1;
    const i = this.produced++;
    const s = this.spec;
    let offset: number;
    switch (s.pattern) {
      case "random":
        offset = this.rng.below(this.slots) * s.size;
        break;
      case "hotcold":
        offset = this.hotColdSlot() * s.size;
        break;
      default:
        offset = (i % this.perLoop) * s.stride;
    }
    this.write = s.access === "write" || (s.access === "mixed" && this.rng.nextFloat() < s.writeRatio);
    return offset;
  }

  /** A slot in the hot part with probability hotProbability, else in the cold part. */
  private hotColdSlot(): number {
    const cold = this.slots - this.hotSlots;
    if (cold === 0 || this.rng.nextFloat() < this.spec.hotProbability) return this.rng.below(this.hotSlots);
    return this.hotSlots + this.rng.below(cold);
  }
}
