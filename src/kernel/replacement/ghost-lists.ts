/**
 * Ghost histories: ordered lists of the keys of recently evicted pages (ARC's
 * B1 and B2, S3-FIFO's ghost FIFO), with a hash index from key to entry.
 * Policies must recognise a page when it comes back, and a page's frame is
 * long gone by then, so ghosts are keyed by the page's `key`, not its frame.
 *
 * Everything lives in typed arrays sized once: a pool of `capacity` entries,
 * each in one list (see `FrameLists`) and one hash chain. Keys are integers
 * in [0, 2^53) (a trace's page number, or an address space and virtual page).
 */
import { FrameLists } from "./frame-lists.js";

export class GhostLists {
  private readonly lists: FrameLists;
  private readonly keys: Float64Array;
  private readonly chainNext: Int32Array;
  private readonly buckets: Int32Array;
  private readonly bucketShift: number;
  private readonly listCount: number;
  private readonly free: Int32Array;
  private freeTop: number;
  readonly capacity: number;

  /** `lists` empty ghost lists sharing a pool of `capacity` entries. */
  constructor(capacity: number, lists: number) {
    this.capacity = capacity;
    this.lists = new FrameLists(capacity, lists);
    this.keys = new Float64Array(capacity);
    this.chainNext = new Int32Array(capacity);
    this.listCount = lists;
    let bits = 4;
    while (1 << bits < capacity * 2) bits++;
    this.buckets = new Int32Array(1 << bits).fill(-1);
    this.bucketShift = 32 - bits;
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Entries in `list`. */
  size(list: number): number {
    return this.lists.size(list);
  }

  /** Entries in all lists. */
  get used(): number {
    return this.capacity - this.freeTop;
  }

  /** The ghost list holding `key`, or -1 when it is in none. */
  listOfKey(key: number): number {
    const e = this.find(key);
    return e < 0 ? -1 : this.lists.listOf(e);
  }

  /** Removes `key` if present; returns the list it was in, or -1. */
  removeKey(key: number): number {
    const e = this.find(key);
    if (e < 0) return -1;
    const list = this.lists.listOf(e);
    this.release(e);
    return list;
  }

  /** Forgets the oldest key of `list` (no-op when empty). */
  dropTail(list: number): void {
    const e = this.lists.tail(list);
    if (e >= 0) this.release(e);
  }

  /** The entry (in [0, capacity)) holding `key`, or -1: for policies that link entries into lists of their own. */
  entryOf(key: number): number {
    return this.find(key);
  }

  /** The key of entry `e`. */
  keyOfEntry(e: number): number {
    return this.keys[e];
  }

  /** The oldest entry of `list`, or -1 when empty. */
  tailEntry(list: number): number {
    return this.lists.tail(list);
  }

  /** Forgets entry `e`. */
  removeEntry(e: number): void {
    this.release(e);
  }

  /**
   * Records `key` (in no list) as the newest entry of `list` and returns its
   * entry (-1 with capacity 0). The caller keeps within capacity; if the pool
   * is full anyway, the oldest entry of `list` (else of list 0 upward) is
   * forgotten to make room.
   */
  pushHead(list: number, key: number): number {
    if (this.freeTop === 0) this.makeRoom(list);
    if (this.freeTop === 0) return -1; // capacity 0: keep no history
    const e = this.free[--this.freeTop];
    this.keys[e] = key;
    const b = this.bucketOf(key);
    this.chainNext[e] = this.buckets[b];
    this.buckets[b] = e;
    this.lists.pushHead(list, e);
    return e;
  }

  private makeRoom(preferred: number): void {
    if (this.lists.size(preferred) > 0) {
      this.dropTail(preferred);
      return;
    }
    for (let l = 0; this.freeTop === 0 && l < this.listCount; l++) this.dropTail(l);
  }

  private find(key: number): number {
    let e = this.buckets[this.bucketOf(key)];
    while (e >= 0 && this.keys[e] !== key) e = this.chainNext[e];
    return e;
  }

  private release(e: number): void {
    const b = this.bucketOf(this.keys[e]);
    let cur = this.buckets[b];
    if (cur === e) {
      this.buckets[b] = this.chainNext[e];
    } else {
      while (this.chainNext[cur] !== e) cur = this.chainNext[cur];
      this.chainNext[cur] = this.chainNext[e];
    }
    this.lists.remove(e);
    this.free[this.freeTop++] = e;
  }

  private bucketOf(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.bucketShift;
  }
}

/**
 * A bounded FIFO of the keys of pages evicted from a probation queue
 * (S3-FIFO's ghost queue, 2Q's A1out), with the lookup of the incoming page
 * done once per fault: `admit` in selectVictim (before the victim is chosen,
 * as libCacheSim does in `find`) or else in `insert`, and `settle` at the end.
 */
export class GhostFifo {
  readonly capacity: number;
  private readonly ghosts: GhostLists;
  private pendingKey = NaN;
  private pendingHit = false;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.ghosts = new GhostLists(capacity, 1);
  }

  /** Records an evicted page's key, forgetting the oldest when full. */
  remember(key: number): void {
    if (this.capacity === 0) return;
    if (this.ghosts.used >= this.capacity) this.ghosts.dropTail(0);
    this.ghosts.pushHead(0, key);
  }

  /** True if the incoming page `key` was remembered (it is then forgotten); asking again for the same fault gives the same answer. */
  admit(key: number): boolean {
    if (key !== this.pendingKey) {
      this.pendingKey = key;
      this.pendingHit = this.ghosts.removeKey(key) >= 0;
    }
    return this.pendingHit;
  }

  /** The fault is over: the next `admit` looks up afresh. */
  settle(): void {
    this.pendingKey = NaN;
    this.pendingHit = false;
  }
}
