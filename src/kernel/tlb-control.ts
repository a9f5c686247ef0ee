/**
 * TLB invalidation (seed part 1). On a 486 or later one page is dropped with
 * INVLPG; a strict 80386 has no INVLPG, so every invalidation is a full CR3
 * reload. Bulk operations (fork, teardown, eviction scans) bracket their work
 * with deferBegin/deferEnd so an 80386 pays one reload at the end.
 *
 * Only entries the TLB may hold need invalidating: a not-present entry is
 * never cached (SDM 4.10.2.3), so mapping a page that was not present needs
 * nothing; changing or removing a present entry of the active space does.
 */

import type { Mmu } from "../machine/mmu.js";

export class TlbControl {
  private readonly mmu: Mmu;
  private readonly hasInvlpg: boolean;
  private deferDepth = 0;
  private flushPending = false;
  /** Invalidations requested (pages), INVLPGs issued and CR3 reloads done, for reports. */
  readonly counts = { pageInvalidations: 0, invlpgs: 0, fullFlushes: 0, deferredFlushes: 0 };

  constructor(mmu: Mmu) {
    this.mmu = mmu;
    this.hasInvlpg = mmu.model.hasInvlpg;
  }

  /** Drops any TLB entry for the page holding `va` of the active space. */
  invalidatePage(va: number): void {
    this.counts.pageInvalidations++;
    if (this.hasInvlpg) {
      this.counts.invlpgs++;
      this.mmu.invlpg(va);
      return;
    }
    this.flushOrDefer();
  }

  /** An 80386's invalidation: a CR3 reload now, or one at the end of the bulk operation. */
  private flushOrDefer(): void {
    if (this.deferDepth > 0) this.flushPending = true;
    else this.flushAll();
  }

  /**
   * Invalidates every page of [start, start+len): INVLPG per page on a 486+,
   * one full flush on an 80386 (deferred inside a bulk operation). A range
   * that wraps past 4 GiB is one full flush; on a 486+, at once even inside
   * a bulk operation, as in the seed.
   */
  invalidateRange(start: number, len: number): void {
    if (len <= 0) return;
    const end = start + len - 1;
    if (end > 0xffffffff && this.hasInvlpg) {
      this.flushAll();
      return;
    }
    if (!this.hasInvlpg) {
      this.flushOrDefer();
      return;
    }
    for (let va = start - (start % 4096); va <= end; va += 4096) this.invalidatePage(va);
  }

  /** Full flush: reload CR3 with itself (the only way on an 80386). */
  flushAll(): void {
    this.counts.fullFlushes++;
    this.mmu.loadCr3(this.mmu.cr3);
  }

  /** Starts a bulk operation: on an 80386, invalidations wait for the matching deferEnd. */
  deferBegin(): void {
    this.deferDepth++;
  }

  /** Ends a bulk operation; the outermost end pays one flush if any was requested. */
  deferEnd(): void {
    if (this.deferDepth === 0) return;
    this.deferDepth--;
    if (this.deferDepth === 0 && this.flushPending) {
      this.flushPending = false;
      this.counts.deferredFlushes++;
      this.flushAll();
    }
  }
}
