/**
 * Doubly linked lists over small integers (frame numbers, or ghost-node
 * numbers), kept in typed arrays so that linking and unlinking allocate
 * nothing. Several lists share one pair of link arrays: an element is in at
 * most one list at a time, and `listOf` says which.
 *
 * Orientation follows libCacheSim's queues: the head is the newest (most
 * recently inserted or used) end, the tail the oldest. `older(e)` walks
 * toward the tail, `newer(e)` toward the head. Each list has a sentinel
 * element (`capacity + list`), so linking never branches on emptiness.
 */
export class FrameLists {
  /** Toward the tail (older); for a sentinel, the head. */
  private readonly nextOlder: Int32Array;
  /** Toward the head (newer); for a sentinel, the tail. */
  private readonly nextNewer: Int32Array;
  private readonly owner: Int8Array;
  private readonly sizes: Int32Array;
  readonly capacity: number;
  readonly listCount: number;

  /** Lists `0..lists-1` over elements `0..capacity-1`, all empty. */
  constructor(capacity: number, lists: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`bad list capacity ${capacity}`);
    if (lists < 1 || lists > 100) throw new RangeError(`bad list count ${lists}`);
    this.capacity = capacity;
    this.listCount = lists;
    this.nextOlder = new Int32Array(capacity + lists);
    this.nextNewer = new Int32Array(capacity + lists);
    this.owner = new Int8Array(capacity).fill(-1);
    this.sizes = new Int32Array(lists);
    for (let l = 0; l < lists; l++) {
      const s = capacity + l;
      this.nextOlder[s] = s;
      this.nextNewer[s] = s;
    }
  }

  /** The list holding `e`, or -1. */
  listOf(e: number): number {
    return this.owner[e];
  }

  /** Number of elements in `list`. */
  size(list: number): number {
    return this.sizes[list];
  }

  /** The newest element of `list`, or -1 when empty. */
  head(list: number): number {
    const h = this.nextOlder[this.capacity + list];
    return h >= this.capacity ? -1 : h;
  }

  /** The oldest element of `list`, or -1 when empty. */
  tail(list: number): number {
    const t = this.nextNewer[this.capacity + list];
    return t >= this.capacity ? -1 : t;
  }

  /** The element just newer than `e` in its list, or -1 if `e` is the head. */
  newer(e: number): number {
    const n = this.nextNewer[e];
    return n >= this.capacity ? -1 : n;
  }

  /** The element just older than `e` in its list, or -1 if `e` is the tail. */
  older(e: number): number {
    const n = this.nextOlder[e];
    return n >= this.capacity ? -1 : n;
  }

  /** Puts `e` (in no list) at the head of `list`. */
  pushHead(list: number, e: number): void {
    const s = this.capacity + list;
    const h = this.nextOlder[s];
    this.nextOlder[e] = h;
    this.nextNewer[e] = s;
    this.nextNewer[h] = e;
    this.nextOlder[s] = e;
    this.owner[e] = list;
    this.sizes[list]++;
  }

  /** Puts `e` (in no list) at the tail of `list`. */
  pushTail(list: number, e: number): void {
    const s = this.capacity + list;
    const t = this.nextNewer[s];
    this.nextNewer[e] = t;
    this.nextOlder[e] = s;
    this.nextOlder[t] = e;
    this.nextNewer[s] = e;
    this.owner[e] = list;
    this.sizes[list]++;
  }

  /** Takes `e` out of its list; no-op if it is in none. */
  remove(e: number): void {
    const list = this.owner[e];
    if (list < 0) return;
    const older = this.nextOlder[e];
    const newer = this.nextNewer[e];
    this.nextOlder[newer] = older;
    this.nextNewer[older] = newer;
    this.owner[e] = -1;
    this.sizes[list]--;
  }

  /** Puts `e` (in no list) where `old` is, taking `old` out. */
  replace(old: number, e: number): void {
    const older = this.nextOlder[old];
    const newer = this.nextNewer[old];
    this.nextOlder[e] = older;
    this.nextNewer[e] = newer;
    this.nextNewer[older] = e;
    this.nextOlder[newer] = e;
    this.owner[e] = this.owner[old];
    this.owner[old] = -1;
  }

  /** Moves `e` (in some list) to the head of `list`; cheap when it is already there. */
  moveToHead(list: number, e: number): void {
    const s = this.capacity + list;
    if (this.nextOlder[s] === e) return;
    this.remove(e);
    this.pushHead(list, e);
  }
}

/**
 * The "held" protocol shared by the policies: a frame whose eviction failed
 * (`keep`) leaves the policy's lists for a held list (by convention the
 * last list of its `FrameLists`) until the next successful eviction,
 * so repeated failures walk through every resident frame once before any
 * is offered again.
 */

/** The held list of `lists`: by convention, its last list. */
function heldList(lists: FrameLists): number {
  return lists.listCount - 1;
}

/** Moves resident `e` to the held list (no-op if it is in no list or already held). */
export function holdFrame(lists: FrameLists, e: number): void {
  const held = heldList(lists);
  const list = lists.listOf(e);
  if (list < 0 || list === held) return;
  lists.remove(e);
  lists.pushHead(held, e);
}

/** Moves every held element to the head of `into`, oldest held first (so it ends up older). */
export function releaseHeld(lists: FrameLists, into: number): void {
  const held = heldList(lists);
  for (let e = lists.tail(held); e >= 0; e = lists.tail(held)) {
    lists.remove(e);
    lists.pushHead(into, e);
  }
}

/** When nothing else is left: the oldest held element, rotated to the newest end; -1 if none. */
export function rotateHeld(lists: FrameLists): number {
  const held = heldList(lists);
  const e = lists.tail(held);
  if (e >= 0) lists.moveToHead(held, e);
  return e;
}
