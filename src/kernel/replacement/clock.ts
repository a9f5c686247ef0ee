/**
 * CLOCK (second chance), the seed's policy and vmm386's default: resident
 * frames on a ring in load order, one hand. On a fault the hand asks the host
 * "was this frame referenced since I last asked?" (the VMM answers from the
 * Accessed bits of every PTE mapping the frame, clearing them); yes → the
 * frame gets a second chance and the hand moves on, no → it is the victim.
 * A new frame is linked just behind the hand, i.e. it is the newest.
 *
 * Variant: one-hand CLOCK with a 1-bit reference flag, equivalent to
 * libCacheSim's `Clock` (FIFO with reinsertion). Which of the two published
 * variants it equals depends only on what the host says about a frame loaded
 * by a fault: with i386 Accessed bits the retried faulting access sets the
 * bit, giving pagesim CLOCK-R1; a host that starts new frames clear gives
 * libCacheSim Clock = pagesim CLOCK-R0. The policy itself is the same.
 *
 * Unlike the seed's ring (a 1,024-slot array scanned on add and remove), the
 * ring is a doubly linked list over frame numbers: O(1) insert and remove,
 * no cap but `maxFrames`. The ring is kept cut open at the hand, so the hand
 * is always the oldest element and stepping on is a move to the newest end —
 * exactly libCacheSim's FIFO-with-reinsertion formulation.
 *
 * A frame whose eviction failed (`keep`) is held out of the ring until the
 * next successful eviction, then rejoins it as the newest; so a caller that
 * keeps failing is offered every resident frame once in `size` tries.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import type { PolicyOptions, ReplacementHost, ReplacementPolicy } from "./policy.js";

const RING = 0;
/** Frames whose eviction failed since the last successful one (see `keep`). */
const HELD = 1;

export class ClockPolicy implements ReplacementPolicy {
  readonly name = "clock";
  readonly observesReferences = false;
  /**
   * The ring, cut open at the hand: the tail is the frame under the hand, the
   * head the one the hand reaches last. A second chance moves the tail to the
   * head, which is the hand stepping on.
   */
  private readonly ring: FrameLists;
  private readonly host: ReplacementHost;
  /** The frame last offered by selectVictim (-1: none). */
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.ring = new FrameLists(options.maxFrames, 2);
    this.host = options.host;
  }

  get size(): number {
    return this.ring.size(RING) + this.ring.size(HELD);
  }

  /** Links `pfn` just behind the hand: the hand reaches it last. */
  insert(pfn: number, _key: number): void {
    this.ring.remove(pfn);
    this.ring.pushHead(RING, pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin the ring. */
  remove(pfn: number): void {
    this.ring.remove(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    releaseHeld(this.ring, RING);
  }

  reference(_pfn: number): void {
    // Referenced state lives in the host (Accessed bits); nothing to do.
  }

  selectVictim(_incomingKey?: number): number {
    const ring = this.ring;
    let f = ring.tail(RING);
    if (f < 0) return (this.offered = rotateHeld(ring));
    // Terminates: each second chance clears the frame's bit, so after one
    // full turn the hand finds a frame whose bit is clear.
    while (this.host.testAndClearReferenced(f)) {
      ring.moveToHead(RING, f);
      f = ring.tail(RING);
    }
    return (this.offered = f);
  }

  keep(pfn: number): void {
    holdFrame(this.ring, pfn);
    if (pfn === this.offered) this.offered = -1;
  }
}
