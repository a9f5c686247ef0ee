/**
 * SIEVE (Zhang et al., NSDI '24), as libCacheSim's `Sieve` with its defaults:
 * one FIFO queue (new pages at the head) and a hand that walks from the tail
 * toward the head, wrapping to the tail. A reference sets the page's visited
 * flag (a new page starts unvisited). On a fault the hand clears visited
 * flags until it finds an unvisited page, evicts it, and stays where the
 * evicted page was (on its newer neighbour; past the head it restarts at the
 * tail). Pages are never moved, so hits cost one store.
 *
 * The visited flag is the policy's own (it observes references) rather than
 * the host's Accessed bit, because libCacheSim starts a faulted-in page
 * unvisited while an i386 Accessed bit would be set by the retried access.
 */
import { FrameLists, holdFrame, rotateHeld } from "./frame-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const QUEUE = 0;
/** Frames whose eviction failed since the last successful one. */
const HELD = 1;

export class SievePolicy implements ReplacementPolicy {
  readonly name = "sieve";
  readonly observesReferences = true;
  private readonly queue: FrameLists;
  private readonly visited: Uint8Array;
  /** Where the next search starts, or -1 for the tail. */
  private hand = -1;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.queue = new FrameLists(options.maxFrames, 2);
    this.visited = new Uint8Array(options.maxFrames);
  }

  get size(): number {
    return this.queue.size(QUEUE) + this.queue.size(HELD);
  }

  insert(pfn: number, _key: number): void {
    this.unlink(pfn);
    this.queue.pushHead(QUEUE, pfn);
    this.visited[pfn] = 0;
  }

  /**
   * If the hand is on `pfn` it moves to the newer neighbour, as after an
   * eviction. Removing the offered victim is a successful eviction: held
   * frames rejoin at the head, visited.
   */
  remove(pfn: number): void {
    this.unlink(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    for (let f = this.queue.tail(HELD); f >= 0; f = this.queue.tail(HELD)) {
      this.queue.remove(f);
      this.queue.pushHead(QUEUE, f);
      this.visited[f] = 1;
    }
  }

  reference(pfn: number): void {
    this.visited[pfn] = 1;
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(_incomingKey?: number): number {
    const queue = this.queue;
    let f = this.hand >= 0 ? this.hand : queue.tail(QUEUE);
    if (f < 0) return (this.offered = rotateHeld(queue));
    while (this.visited[f] !== 0) {
      this.visited[f] = 0;
      const n = queue.newer(f);
      f = n >= 0 ? n : queue.tail(QUEUE);
    }
    this.hand = f;
    return (this.offered = f);
  }

  /** A frame that could not be evicted is held back until the next eviction succeeds. */
  keep(pfn: number): void {
    if (this.queue.listOf(pfn) !== QUEUE) return;
    if (this.hand === pfn) this.hand = this.queue.newer(pfn);
    holdFrame(this.queue, pfn);
    if (pfn === this.offered) this.offered = -1;
  }

  /** Takes `pfn` out of whichever list holds it, moving the hand off it first. */
  private unlink(pfn: number): void {
    if (this.queue.listOf(pfn) < 0) return;
    if (this.hand === pfn) this.hand = this.queue.newer(pfn);
    this.queue.remove(pfn);
  }
}
