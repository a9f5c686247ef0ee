/**
 * ARC, the Adaptive Replacement Cache (Megiddo & Modha, FAST '03), exactly as
 * libCacheSim's `ARC` with default parameters (page size 1, no metadata):
 *
 * - T1 (seen once recently) and T2 (seen at least twice) are LRU lists of
 *   resident frames; B1 and B2 are their ghost lists (keys only).
 * - A hit moves the page to the head of T2.
 * - A miss that hits B1 raises the target p by max(|B2|/|B1|, 1) (capped at
 *   c); a hit in B2 lowers it by max(|B1|/|B2|, 1) (floored at 0). p is a
 *   real number, as in libCacheSim. The ghost entry is dropped and the page
 *   is loaded at the head of T2; any other miss loads it at the head of T1.
 * - Eviction (REPLACE): take T1's LRU page into B1 if T1 is non-empty and
 *   (|T1| > p, or |T1| = p and the incoming page was in B2), or if T2 is
 *   empty; otherwise T2's LRU page into B2.
 * - On a miss in all four lists (case IV): if |T1|+|B1| = c, drop B1's LRU
 *   ghost and REPLACE, or if B1 is empty evict T1's LRU page without a ghost;
 *   else if the four lists hold 2c pages, drop B2's LRU ghost, then REPLACE.
 *
 * The ghost lookup and the p adaptation for the incoming page happen in
 * `selectVictim(incomingKey)` (libCacheSim does them in `find`, before
 * evicting); if the caller does not say which page is coming, they happen at
 * `insert` and the eviction is chosen as for a miss in all lists. The
 * bookkeeping of an eviction (ghost moves) is done at `remove(victim)`, so a
 * victim the caller `keep`s leaves no trace; kept frames are held out of T1
 * and T2 until an eviction succeeds, then rejoin T2 as recently used.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import { GhostLists } from "./ghost-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const T1 = 0;
const T2 = 1;
/** Frames whose eviction failed since the last successful one (out of T1/T2). */
const HELD = 2;
const B1 = 0;
const B2 = 1;
/** `pendingGhost` values: the incoming page was in no ghost list, in B1, in B2. */
const FROM_NONE = 0;
const FROM_B1 = 1;
const FROM_B2 = 2;

export class ArcPolicy implements ReplacementPolicy {
  readonly name = "arc";
  readonly observesReferences = true;
  private readonly c: number;
  private readonly resident: FrameLists;
  private readonly ghosts: GhostLists;
  private readonly keyOf: Float64Array;
  /** Target size of T1. */
  private p = 0;
  /** The incoming page already looked up in the ghosts (NaN: none). */
  private pendingKey = NaN;
  private pendingGhost = FROM_NONE;
  /** The victim offered by selectVictim (-1: none) and what its removal does. */
  private planVictim = -1;
  private planToGhost = false;
  private planDropGhost = -1;

  constructor(options: PolicyOptions) {
    this.c = Math.max(1, options.capacity > 0 ? options.capacity : options.maxFrames);
    this.resident = new FrameLists(options.maxFrames, 3);
    this.ghosts = new GhostLists(2 * this.c + 2, 2);
    this.keyOf = new Float64Array(options.maxFrames);
  }

  get size(): number {
    return this.resident.size(T1) + this.resident.size(T2) + this.resident.size(HELD);
  }

  /** The current target size of T1 (for tests and reports). */
  get target(): number {
    return this.p;
  }

  insert(pfn: number, key: number): void {
    if (this.resident.listOf(pfn) >= 0) this.remove(pfn);
    this.planVictim = -1;
    this.admit(key);
    this.resident.pushHead(this.pendingGhost === FROM_NONE ? T1 : T2, pfn);
    this.keyOf[pfn] = key;
    this.pendingKey = NaN;
    this.pendingGhost = FROM_NONE;
  }

  /** Removing the offered victim carries out the eviction's ghost moves; held frames rejoin T2. */
  remove(pfn: number): void {
    const list = this.resident.listOf(pfn);
    if (list < 0) return;
    this.resident.remove(pfn);
    if (pfn !== this.planVictim) {
      this.planVictim = -1;
      return;
    }
    this.planVictim = -1;
    if (this.planDropGhost >= 0) this.ghosts.dropTail(this.planDropGhost);
    if (this.planToGhost && list !== HELD) this.ghosts.pushHead(list === T1 ? B1 : B2, this.keyOf[pfn]);
    releaseHeld(this.resident, T2);
  }

  reference(pfn: number): void {
    this.resident.moveToHead(T2, pfn);
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(incomingKey?: number): number {
    if (incomingKey !== undefined) this.admit(incomingKey);
    const t1 = this.resident.size(T1);
    const b1 = this.ghosts.size(B1);
    this.planDropGhost = -1;
    this.planToGhost = true;
    if (t1 + this.resident.size(T2) === 0) {
      this.planToGhost = false;
      return (this.planVictim = rotateHeld(this.resident));
    }
    if (this.pendingGhost === FROM_NONE) {
      if (t1 + b1 + 1 > this.c) {
        if (b1 > 0) {
          this.planDropGhost = B1;
        } else {
          this.planToGhost = false;
          this.planVictim = this.resident.tail(T1);
          return this.planVictim;
        }
      } else if (t1 + b1 + this.resident.size(T2) + this.ghosts.size(B2) >= 2 * this.c) {
        if (this.ghosts.size(B2) > 0) this.planDropGhost = B2;
      }
    }
    this.planVictim = this.replaceCandidate();
    return this.planVictim;
  }

  /** A frame that could not be evicted is held out of T1/T2 until the next eviction succeeds, then joins T2. */
  keep(pfn: number): void {
    if (pfn === this.planVictim) this.planVictim = -1;
    holdFrame(this.resident, pfn);
  }

  /** ARC's REPLACE: the LRU page of T1 or of T2. */
  private replaceCandidate(): number {
    const t1 = this.resident.size(T1);
    const fromT1 =
      (t1 > 0 && (t1 > this.p || (t1 === this.p && this.pendingGhost === FROM_B2))) ||
      this.resident.size(T2) === 0;
    return this.resident.tail(fromT1 ? T1 : T2);
  }

  /** Looks the incoming page up in B1/B2 once: adapts p and drops the ghost on a hit. */
  private admit(key: number): void {
    if (key === this.pendingKey) return;
    this.pendingKey = key;
    this.pendingGhost = FROM_NONE;
    const list = this.ghosts.listOfKey(key);
    if (list < 0) return;
    const b1 = this.ghosts.size(B1);
    const b2 = this.ghosts.size(B2);
    if (list === B1) {
      this.p = Math.min(this.p + Math.max(b2 / b1, 1), this.c);
      this.pendingGhost = FROM_B1;
    } else {
      this.p = Math.max(this.p - Math.max(b1 / b2, 1), 0);
      this.pendingGhost = FROM_B2;
    }
    this.ghosts.removeKey(key);
  }
}
