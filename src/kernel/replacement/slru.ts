/**
 * Segmented LRU (Karedla, Love & Wherry, 1994) with n equal segments, as
 * libCacheSim's `SLRU` (default n-seg=4, each floor(c/n) frames):
 *
 * - A fault loads the page at the head of the lowest segment with room
 *   (segment 0, the probationary one, once memory is full).
 * - A hit in the top segment moves the page to its head; a hit in segment i
 *   moves it to the head of segment i+1, and while a segment overflows its
 *   tail is demoted to the head of the one below (cascading down).
 * - The victim is the tail of the lowest non-empty segment.
 *
 * When n does not divide c, libCacheSim's segments cover only n·floor(c/n)
 * frames and its segment 0 takes the rest beyond its size, evicting pages
 * on hits when a demotion overflows it (so at times it holds fewer than c
 * pages). vmm386 gives segment 0 the remainder as its size, so the segments
 * always cover every frame; with n dividing c the two are identical.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import { capacityOf, paramOf, type PolicyParamSpec } from "./params.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

/** The most segments a policy may have (frame lists are capped at 100). */
const MAX_SEGMENTS = 16;

/** SLRU's parameters (libCacheSim's names in `libCacheSim`). */
export const SLRU_PARAMS: readonly PolicyParamSpec[] = [
  { key: "segments", default: 4, min: 1, max: MAX_SEGMENTS, integer: true, libCacheSim: "n-seg", about: "number of equal LRU segments (segment 0 is probation)" },
];

export class SlruPolicy implements ReplacementPolicy {
  readonly name = "slru";
  readonly observesReferences = true;
  /** Lists 0..n-1 are the segments; list n holds frames whose eviction failed. */
  private readonly segments: FrameLists;
  private readonly limit: Int32Array;
  private readonly top: number;
  private readonly held: number;
  private offered = -1;

  constructor(options: PolicyOptions) {
    const c = capacityOf(options);
    const n = paramOf(options, SLRU_PARAMS[0]);
    this.top = n - 1;
    this.held = n;
    this.segments = new FrameLists(options.maxFrames, n + 1);
    this.limit = new Int32Array(n).fill(Math.floor(c / n));
    this.limit[0] = c - (n - 1) * Math.floor(c / n);
  }

  get size(): number {
    let n = 0;
    for (let s = 0; s <= this.held; s++) n += this.segments.size(s);
    return n;
  }

  insert(pfn: number, _key: number): void {
    this.segments.remove(pfn);
    let s = 0;
    while (s < this.top && this.segments.size(s) >= this.limit[s]) s++;
    if (this.segments.size(s) >= this.limit[s]) s = 0;
    this.segments.pushHead(s, pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin probation as most recent. */
  remove(pfn: number): void {
    this.segments.remove(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    releaseHeld(this.segments, 0);
  }

  reference(pfn: number): void {
    const s = this.segments.listOf(pfn);
    if (s < 0 || s === this.held) return;
    if (s === this.top) {
      this.segments.moveToHead(s, pfn);
      return;
    }
    this.segments.remove(pfn);
    this.segments.pushHead(s + 1, pfn);
    for (let t = s + 1; t > 0 && this.segments.size(t) > this.limit[t]; t--) {
      const demoted = this.segments.tail(t);
      this.segments.remove(demoted);
      this.segments.pushHead(t - 1, demoted);
    }
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(_incomingKey?: number): number {
    for (let s = 0; s <= this.top; s++) {
      const f = this.segments.tail(s);
      if (f >= 0) return (this.offered = f);
    }
    return (this.offered = rotateHeld(this.segments));
  }

  keep(pfn: number): void {
    holdFrame(this.segments, pfn);
    if (pfn === this.offered) this.offered = -1;
  }
}
