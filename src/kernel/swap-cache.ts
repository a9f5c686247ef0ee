/**
 * The swap cache (Linux's, reduced to what the seed needs): while a slot
 * that was just swapped in is still named by other PTEs, the frame it was
 * read into stays associated with it, so the next fault on the same slot
 * maps that frame instead of reading a second copy. A page shared by N
 * processes before eviction is shared again after swap-in: one frame, one
 * read.
 *
 * The association is two typed arrays (slot -> frame, frame -> slot), no
 * per-page objects. It exists only while all of these hold:
 *   - the slot's count (PTEs naming it) is above zero;
 *   - the frame is a user page mapped by at least one PTE;
 *   - the frame still equals the slot's copy on disk: every PTE that mapped
 *     it since swap-in was read-only (plain or COW), so nobody could write it.
 * Whatever ends one of these ends the association (slot freed, frame freed
 * or evicted, COW broken in place by a last sharer). While it lasts, evicting
 * the frame needs no write: its PTEs join the slot's (see eviction.ts).
 *
 * The page contents stay where the one-truth rule puts them: in the frame
 * (simulated memory) and in the slot (swap disk). The cache only says they
 * are equal.
 */

const NONE = -1;

export class SwapCache {
  /** The frame cached for each slot, or -1. */
  readonly frameOfSlot: Int32Array;
  /** The slot each frame is cached for, or -1. */
  readonly slotOfFrame: Int32Array;
  private linked = 0;

  constructor(slots: number, frames: number) {
    this.frameOfSlot = new Int32Array(slots).fill(NONE);
    this.slotOfFrame = new Int32Array(frames).fill(NONE);
  }

  /** Pages in the cache. */
  get size(): number {
    return this.linked;
  }

  /**
   * The frame holding `slot`'s page, or -1 if none does. An empty cache (no
   * slot shared by fork was swapped in: every single-process replay) answers
   * without reading the array: over a large swap area that read is a host
   * cache miss on every swap-in, 5 % of a replay at RAM 1G.
   */
  frameOf(slot: number): number {
    return this.linked === 0 ? NONE : this.frameOfSlot[slot];
  }

  /** The slot frame `pfn` is a clean copy of, or -1 (no read while the cache is empty, as frameOf). */
  slotOf(pfn: number): number {
    return this.linked === 0 || pfn >= this.slotOfFrame.length ? NONE : this.slotOfFrame[pfn];
  }

  /** Records that frame `pfn` holds exactly the page of `slot` (neither may be linked already). */
  link(slot: number, pfn: number): void {
    this.frameOfSlot[slot] = pfn;
    this.slotOfFrame[pfn] = slot;
    this.linked++;
  }

  /** Ends the association of `slot`, if any (the slot is being freed). */
  unlinkSlot(slot: number): void {
    const pfn = this.frameOf(slot);
    if (pfn === NONE) return;
    this.frameOfSlot[slot] = NONE;
    this.slotOfFrame[pfn] = NONE;
    this.linked--;
  }

  /** Ends the association of frame `pfn`, if any (freed, evicted, or about to be written). */
  unlinkFrame(pfn: number): void {
    const slot = this.slotOf(pfn);
    if (slot === NONE) return;
    this.frameOfSlot[slot] = NONE;
    this.slotOfFrame[pfn] = NONE;
    this.linked--;
  }
}
