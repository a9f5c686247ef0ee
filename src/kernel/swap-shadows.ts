/**
 * Shadow entries, kept with the swap slots (Linux keeps them in the swap
 * cache's xarray, at the slot's index, in place of the evicted page): when a
 * policy with working-set detection (replacement/policy.ts WorkingSetHooks)
 * evicts a page, the slot its PTEs now name remembers the policy's shadow —
 * the eviction counter for the two-list LRU, the generation for MGLRU — and
 * the swap-in that reads the slot back hands it to the policy, once.
 *
 * One typed array indexed by slot, apart from the swap area's own arrays, and
 * made only when the policy asks for shadows. A slot freed with its shadow
 * unread keeps it until the next eviction to that slot writes a new one:
 * nothing reads a slot that no PTE names, so a stale entry is never seen.
 */

/** A slot holding no shadow. */
export const NO_SHADOW = -1;

export class SwapShadows {
  /** The shadow of each slot's page, or NO_SHADOW. */
  readonly shadowOfSlot: Float64Array;

  constructor(slots: number) {
    this.shadowOfSlot = new Float64Array(slots).fill(NO_SHADOW);
  }

  /** `slot` now holds a page evicted with `shadow` (an integer in [0, 2^53)). */
  store(slot: number, shadow: number): void {
    this.shadowOfSlot[slot] = shadow;
  }

  /** The shadow of `slot`'s page, cleared as it is read (the page is resident again); NO_SHADOW if none. */
  take(slot: number): number {
    const shadow = this.shadowOfSlot[slot];
    this.shadowOfSlot[slot] = NO_SHADOW;
    return shadow;
  }
}
