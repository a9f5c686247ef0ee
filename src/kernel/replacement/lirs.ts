/**
 * LIRS (Jiang & Zhang, SIGMETRICS '02), as the paper gives it, sized as
 * libCacheSim's `LIRS`: Lhirs = max(1, floor(0.01·c)) frames for resident
 * HIR pages, Llirs = c − Lhirs for LIR pages, and the stack S bounded at 2c
 * entries by forgetting the non-resident pages that became so first.
 *
 * - S orders LIR pages, resident HIR pages and non-resident HIR pages (keys
 *   only) by recency; its bottom is always an LIR page ("pruning" drops the
 *   HIR entries below the lowest LIR page). Q holds the resident HIR pages
 *   in the order they entered it; its front is the victim.
 * - An LIR hit moves the page to the top of S (and prunes).
 * - A resident HIR hit in S makes the page LIR and demotes the LIR page at
 *   the bottom of S to the end of Q; one not in S goes to the top of S and
 *   the end of Q and stays HIR.
 * - A fault evicts Q's front (its S entry, if any, becomes non-resident).
 *   The new page becomes LIR if S held it (demoting the bottom LIR page),
 *   else HIR at the top of S and the end of Q; while fewer than Llirs pages
 *   are LIR, every new page is LIR.
 *
 * libCacheSim's LIRS differs in one case (docs/policies.md): on a hit to a
 * resident HIR page that is not in S it also demotes an LIR page and evicts
 * Q's front, which frees a frame on a hit; with Lhirs = 1 the evicted page
 * is the one hit, which it goes on counting as resident, so it holds c + 1
 * pages at times. A VMM cannot do either, so vmm386 follows the paper there.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import { GhostLists } from "./ghost-lists.js";
import { capacityOf, paramOf, type PolicyParamSpec } from "./params.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const S = 0;
const Q = 0;
/** Frames whose eviction failed since the last successful one (out of S's LIR set and Q). */
const HELD = 1;
const NON_RESIDENT = 0;

/** LIRS's parameters. libCacheSim fixes the HIR share at 0.01. */
export const LIRS_PARAMS: readonly PolicyParamSpec[] = [
  { key: "hir", default: 0.01, min: 0, max: 1, about: "share of the frames for resident HIR pages (at least one frame)" },
];

export class LirsPolicy implements ReplacementPolicy {
  readonly name = "lirs";
  readonly observesReferences = true;
  private readonly lirLimit: number;
  private readonly stackLimit: number;
  /** S over frames (0..maxFrames-1) and non-resident entries (maxFrames + ghost entry). */
  private readonly stack: FrameLists;
  /** Q and the held frames. */
  private readonly queue: FrameLists;
  /** The keys of S's non-resident pages, oldest to become non-resident at the tail. */
  private readonly ghosts: GhostLists;
  private readonly isLir: Uint8Array;
  private readonly keyOf: Float64Array;
  private readonly maxFrames: number;
  private lirCount = 0;
  private offered = -1;

  constructor(options: PolicyOptions) {
    const c = capacityOf(options);
    const hir = Math.min(Math.max(1, Math.floor(paramOf(options, LIRS_PARAMS[0]) * c)), Math.max(1, c - 1));
    this.lirLimit = Math.max(0, c - hir);
    this.stackLimit = 2 * c;
    this.maxFrames = options.maxFrames;
    // One non-resident entry more than S can hold: an eviction adds one before the fault's insert takes one.
    this.ghosts = new GhostLists(this.stackLimit + 1, 1);
    this.stack = new FrameLists(options.maxFrames + this.ghosts.capacity, 1);
    this.queue = new FrameLists(options.maxFrames, 2);
    this.isLir = new Uint8Array(options.maxFrames);
    this.keyOf = new Float64Array(options.maxFrames);
  }

  get size(): number {
    return this.lirCount + this.queue.size(Q) + this.queue.size(HELD);
  }

  insert(pfn: number, key: number): void {
    if (this.isLir[pfn] !== 0 || this.queue.listOf(pfn) >= 0) this.remove(pfn);
    this.keyOf[pfn] = key;
    const ghost = this.ghosts.entryOf(key);
    if (ghost >= 0) {
      this.stack.replace(this.maxFrames + ghost, pfn);
      this.ghosts.removeEntry(ghost);
      this.stack.moveToHead(S, pfn);
      this.makeLir(pfn);
    } else if (this.lirCount < this.lirLimit) {
      this.stack.pushHead(S, pfn);
      this.isLir[pfn] = 1;
      this.lirCount++;
    } else {
      this.stack.pushHead(S, pfn);
      this.queue.pushHead(Q, pfn);
    }
    this.limitStack();
  }

  /**
   * Removing the offered victim is an eviction: its S entry, if any, stays
   * as a non-resident page; held frames rejoin Q's end. Any other removal
   * (unmap, exit) forgets the page.
   */
  remove(pfn: number): void {
    const evicted = pfn === this.offered;
    if (evicted) this.offered = -1;
    this.queue.remove(pfn);
    if (this.isLir[pfn] !== 0) {
      this.isLir[pfn] = 0;
      this.lirCount--;
      this.stack.remove(pfn);
      this.prune();
    } else if (this.stack.listOf(pfn) === S) {
      const ghost = evicted ? this.ghosts.pushHead(NON_RESIDENT, this.keyOf[pfn]) : -1;
      if (ghost >= 0) this.stack.replace(pfn, this.maxFrames + ghost);
      else this.stack.remove(pfn);
    }
    if (evicted) releaseHeld(this.queue, Q);
  }

  reference(pfn: number): void {
    if (this.isLir[pfn] !== 0) {
      const wasBottom = this.stack.tail(S) === pfn;
      this.stack.moveToHead(S, pfn);
      if (wasBottom) this.prune();
    } else if (this.queue.listOf(pfn) !== Q) {
      return; // held: its eviction failed, it rejoins Q after the next one
    } else if (this.stack.listOf(pfn) === S) {
      this.stack.moveToHead(S, pfn);
      this.queue.remove(pfn);
      this.makeLir(pfn);
    } else {
      this.stack.pushHead(S, pfn);
      this.queue.moveToHead(Q, pfn);
      this.limitStack();
    }
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  /** Q's front; with Q empty (frames unmapped or held), the lowest LIR page of S. */
  selectVictim(_incomingKey?: number): number {
    let f = this.queue.tail(Q);
    if (f < 0) f = this.lowestLir();
    if (f < 0) f = rotateHeld(this.queue);
    return (this.offered = f);
  }

  /** A frame that could not be evicted leaves the LIR set and Q until an eviction succeeds, then rejoins Q. */
  keep(pfn: number): void {
    if (pfn === this.offered) this.offered = -1;
    if (this.isLir[pfn] !== 0) {
      this.isLir[pfn] = 0;
      this.lirCount--;
      this.stack.remove(pfn);
      this.prune();
      this.queue.pushHead(HELD, pfn);
      return;
    }
    holdFrame(this.queue, pfn);
  }

  /** `pfn` (at the top of S, in no queue) becomes LIR; if the LIR set overflows, its bottom page goes to Q. */
  private makeLir(pfn: number): void {
    this.isLir[pfn] = 1;
    if (++this.lirCount <= this.lirLimit) return;
    const bottom = this.stack.tail(S);
    this.isLir[bottom] = 0;
    this.lirCount--;
    this.stack.remove(bottom);
    this.queue.pushHead(Q, bottom);
    this.prune();
  }

  /** The LIR page nearest S's bottom (the bottom itself unless unmaps left HIR entries below), or -1. */
  private lowestLir(): number {
    for (let e = this.stack.tail(S); e >= 0; e = this.stack.newer(e)) {
      if (e < this.maxFrames && this.isLir[e] !== 0) return e;
    }
    return -1;
  }

  /** Drops HIR entries from the bottom of S until an LIR page is there. */
  private prune(): void {
    for (let e = this.stack.tail(S); e >= 0; e = this.stack.tail(S)) {
      if (e < this.maxFrames) {
        if (this.isLir[e] !== 0) return;
        this.stack.remove(e);
      } else {
        this.stack.remove(e);
        this.ghosts.removeEntry(e - this.maxFrames);
      }
    }
  }

  /** Keeps S within 2c entries by forgetting the pages that became non-resident first. */
  private limitStack(): void {
    while (this.stack.size(S) > this.stackLimit) {
      const ghost = this.ghosts.tailEntry(NON_RESIDENT);
      if (ghost < 0) return;
      this.stack.remove(this.maxFrames + ghost);
      this.ghosts.removeEntry(ghost);
    }
  }
}
