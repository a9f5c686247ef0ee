/**
 * 2Q (Johnson & Shasha, VLDB '94), the "full version", as libCacheSim's
 * `TwoQ` with its defaults Ain-size-ratio=0.25, Aout-size-ratio=0.5
 * (c = capacity in pages):
 *
 * - A1in, a FIFO of floor(kin·c) frames, takes pages on their first fault;
 *   a hit there changes nothing (correlated references stay in A1in).
 * - A1out, a FIFO of the keys of the last floor(kout·c) pages evicted from
 *   A1in: a fault on one of them loads the page at the head of Am.
 * - Am, an LRU list of the rest: a hit moves the page to its head.
 * - Eviction: A1in's tail (into A1out) while A1in holds more than its
 *   share, else Am's LRU page (no ghost); if Am is empty, A1in's tail.
 *
 * libCacheSim refuses every page when A1in gets no frame (below 4 frames
 * with the default kin): it caches nothing. vmm386 always loads the
 * faulting page, so there it lets A1in hold the page until the next fault.
 *
 * The A1out lookup for the incoming page happens in `selectVictim(incomingKey)`
 * (libCacheSim: in `find`, before evicting); without a key, at `insert`.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import { GhostFifo } from "./ghost-lists.js";
import { capacityOf, paramOf, type PolicyParamSpec } from "./params.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const A1IN = 0;
const AM = 1;
/** Frames whose eviction failed since the last successful one (out of A1in and Am). */
const HELD = 2;

/** 2Q's parameters (libCacheSim's names in `libCacheSim`). */
export const TWO_Q_PARAMS: readonly PolicyParamSpec[] = [
  { key: "kin", default: 0.25, min: 0, max: 1, libCacheSim: "Ain-size-ratio", about: "A1in's share of the frames (FIFO of first-time pages)" },
  { key: "kout", default: 0.5, min: 0, max: 4, libCacheSim: "Aout-size-ratio", about: "A1out's size (ghost keys) as a share of the frames" },
];

export class TwoQPolicy implements ReplacementPolicy {
  readonly name = "2q";
  readonly observesReferences = true;
  private readonly queues: FrameLists;
  /** A1out. */
  private readonly ghost: GhostFifo;
  private readonly inSize: number;
  private readonly keyOf: Float64Array;
  /** The victim offered by selectVictim (-1: none); its key goes to A1out if it came from A1in. */
  private planVictim = -1;

  constructor(options: PolicyOptions) {
    const c = capacityOf(options);
    // libCacheSim truncates c·ratio to an integer (C's double → int64 conversion).
    this.inSize = Math.floor(c * paramOf(options, TWO_Q_PARAMS[0]));
    this.queues = new FrameLists(options.maxFrames, 3);
    this.ghost = new GhostFifo(Math.floor(c * paramOf(options, TWO_Q_PARAMS[1])));
    this.keyOf = new Float64Array(options.maxFrames);
  }

  get size(): number {
    return this.queues.size(A1IN) + this.queues.size(AM) + this.queues.size(HELD);
  }

  insert(pfn: number, key: number): void {
    if (this.queues.listOf(pfn) >= 0) this.remove(pfn);
    this.planVictim = -1;
    this.queues.pushHead(this.ghost.admit(key) ? AM : A1IN, pfn);
    this.keyOf[pfn] = key;
    this.ghost.settle();
  }

  /** Removing the offered victim is an eviction: from A1in, its key goes to A1out; held frames rejoin Am. */
  remove(pfn: number): void {
    const list = this.queues.listOf(pfn);
    if (list < 0) return;
    this.queues.remove(pfn);
    const evicted = pfn === this.planVictim;
    this.planVictim = -1;
    if (!evicted) return;
    releaseHeld(this.queues, AM);
    if (list === A1IN) this.ghost.remember(this.keyOf[pfn]);
  }

  /** Only Am is recency-ordered: a hit in A1in changes nothing. */
  reference(pfn: number): void {
    if (this.queues.listOf(pfn) === AM) this.queues.moveToHead(AM, pfn);
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(incomingKey?: number): number {
    if (incomingKey !== undefined) this.ghost.admit(incomingKey);
    const queues = this.queues;
    const fromIn = queues.size(A1IN) > this.inSize || queues.size(AM) === 0;
    const f = queues.tail(fromIn ? A1IN : AM);
    return (this.planVictim = f >= 0 ? f : rotateHeld(queues));
  }

  /** A frame that could not be evicted is held out of A1in and Am until an eviction succeeds, then joins Am. */
  keep(pfn: number): void {
    if (pfn === this.planVictim) this.planVictim = -1;
    holdFrame(this.queues, pfn);
  }
}
