/**
 * S3-FIFO (Yang et al., SOSP '23), as libCacheSim's `S3FIFO` with its
 * defaults fifo-size-ratio=0.10, ghost-size-ratio=0.90,
 * move-to-main-threshold=2 (c = capacity in pages; the three are the
 * parameters small, ghost and threshold, see S3_FIFO_PARAMS):
 *
 * - A small FIFO S of floor(0.10·c) frames, a main FIFO M of the rest, and a
 *   ghost FIFO G of the keys of the last floor(0.90·c) pages evicted from S.
 * - A reference adds 1 to the page's frequency (kept capped at 3, which
 *   changes nothing: only "≥ 2" in S and min(freq, 3) in M are ever used).
 * - A miss whose key is in G drops it from G and loads the page at the head
 *   of M; any other miss loads it at the head of S. Loaded pages start at 0.
 * - Eviction: if |M| > its size or S is empty, M's tail with freq ≥ 1 goes
 *   back to M's head with min(freq, 3) − 1, and the first with freq 0 is
 *   evicted. Otherwise S's tail with freq ≥ 2 moves to M's head (freq 0) and
 *   the first with freq < 2 is evicted into G; if S empties that way, M
 *   evicts instead.
 *
 * One difference from libCacheSim, below 20 frames only: there S gets 0 or 1
 * slot and libCacheSim's admission test (`size >= small size` → reject)
 * refuses every page, so it reports every reference as a miss. A VMM must
 * load the faulting page, so vmm386 gives S at least one frame and admits.
 * From 20 frames up the two are identical (docs/policies.md).
 *
 * The ghost lookup for the incoming page happens in `selectVictim(incomingKey)`
 * (libCacheSim: in `find`, before evicting); without a key, at `insert`.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import { GhostFifo } from "./ghost-lists.js";
import { capacityOf, paramOf, type PolicyParamSpec } from "./params.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const SMALL = 0;
const MAIN = 1;
/** Frames whose eviction failed since the last successful one (out of S and M). */
const HELD = 2;
const MAX_FREQ = 3;

/** S3-FIFO's parameters (libCacheSim's names in `libCacheSim`). */
export const S3_FIFO_PARAMS: readonly PolicyParamSpec[] = [
  { key: "small", default: 0.1, min: 0, max: 1, libCacheSim: "fifo-size-ratio", about: "small FIFO's share of the frames (at least 1 frame)" },
  { key: "ghost", default: 0.9, min: 0, max: 4, libCacheSim: "ghost-size-ratio", about: "ghost FIFO's size (keys) as a share of the frames" },
  { key: "threshold", default: 2, min: 1, max: MAX_FREQ, integer: true, libCacheSim: "move-to-main-threshold", about: "hits in the small FIFO that move a page to the main FIFO" },
];

/** Small-queue frames for `capacity` pages: libCacheSim's floor(ratio·c), at least 1. */
export function s3fifoSmallSize(capacity: number, ratio = 0.1): number {
  return Math.max(1, Math.floor(capacity * ratio));
}

export class S3FifoPolicy implements ReplacementPolicy {
  readonly name = "s3-fifo";
  readonly observesReferences = true;
  private readonly queues: FrameLists;
  private readonly ghost: GhostFifo;
  private readonly mainSize: number;
  private readonly threshold: number;
  private readonly freq: Uint8Array;
  private readonly keyOf: Float64Array;
  /** The victim offered by selectVictim (-1: none); it goes to G if it came from S. */
  private planVictim = -1;

  constructor(options: PolicyOptions) {
    const c = capacityOf(options);
    this.mainSize = c - s3fifoSmallSize(c, paramOf(options, S3_FIFO_PARAMS[0]));
    this.ghost = new GhostFifo(Math.floor(c * paramOf(options, S3_FIFO_PARAMS[1])));
    this.threshold = paramOf(options, S3_FIFO_PARAMS[2]);
    this.queues = new FrameLists(options.maxFrames, 3);
    this.freq = new Uint8Array(options.maxFrames);
    this.keyOf = new Float64Array(options.maxFrames);
  }

  get size(): number {
    return this.queues.size(SMALL) + this.queues.size(MAIN) + this.queues.size(HELD);
  }

  insert(pfn: number, key: number): void {
    if (this.queues.listOf(pfn) >= 0) this.remove(pfn);
    this.planVictim = -1;
    this.queues.pushHead(this.ghost.admit(key) ? MAIN : SMALL, pfn);
    this.freq[pfn] = 0;
    this.keyOf[pfn] = key;
    this.ghost.settle();
  }

  /** Removing the offered victim is an eviction: from S, its key goes to G; held frames rejoin M. */
  remove(pfn: number): void {
    const list = this.queues.listOf(pfn);
    if (list < 0) return;
    this.queues.remove(pfn);
    const evicted = pfn === this.planVictim;
    this.planVictim = -1;
    if (!evicted) return;
    releaseHeld(this.queues, MAIN);
    if (list === SMALL) this.ghost.remember(this.keyOf[pfn]);
  }

  reference(pfn: number): void {
    if (this.freq[pfn] < MAX_FREQ) this.freq[pfn]++;
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(incomingKey?: number): number {
    if (incomingKey !== undefined) this.ghost.admit(incomingKey);
    const queues = this.queues;
    if (queues.size(SMALL) + queues.size(MAIN) === 0) return (this.planVictim = rotateHeld(queues));
    for (;;) {
      if (queues.size(MAIN) > this.mainSize || queues.size(SMALL) === 0) {
        this.planVictim = this.sweepMain();
        return this.planVictim;
      }
      const f = this.sweepSmall();
      if (f >= 0) {
        this.planVictim = f;
        return f;
      }
    }
  }

  /** A frame that could not be evicted is held out of S and M until an eviction succeeds, then joins M. */
  keep(pfn: number): void {
    if (pfn === this.planVictim) this.planVictim = -1;
    holdFrame(this.queues, pfn);
  }

  /** Second chances in M until a page with freq 0 is at the tail; returns it. */
  private sweepMain(): number {
    const queues = this.queues;
    let f = queues.tail(MAIN);
    while (this.freq[f] >= 1) {
      this.freq[f] = Math.min(this.freq[f], MAX_FREQ) - 1;
      queues.moveToHead(MAIN, f);
      f = queues.tail(MAIN);
    }
    return f;
  }

  /** Promotes S's frequent tail pages to M; returns the first to evict, or -1 if S emptied. */
  private sweepSmall(): number {
    const queues = this.queues;
    let f = queues.tail(SMALL);
    while (f >= 0 && this.freq[f] >= this.threshold) {
      queues.remove(f);
      queues.pushHead(MAIN, f);
      this.freq[f] = 0;
      f = queues.tail(SMALL);
    }
    return f;
  }
}
