/**
 * Hosts for policy tests: Accessed bits the test sets by hand, as the MMU
 * would, cleared when the policy asks; the walkable one also does MGLRU's
 * aging walk, reporting the set bits in frame order as the VMM reports them
 * in page-table order.
 */
import type { ReferencedFrameSink, ReplacementHost } from "../../../src/kernel/replacement/policy.js";

export class AccessedBits implements ReplacementHost {
  readonly accessed = new Set<number>();
  testAndClearReferenced(pfn: number): boolean {
    return this.accessed.delete(pfn);
  }
}

export class WalkableBits extends AccessedBits {
  walks = 0;
  harvestReferenced(sink: ReferencedFrameSink): void {
    this.walks++;
    for (const pfn of [...this.accessed].sort((a, b) => a - b)) {
      this.accessed.delete(pfn);
      sink.referencedFrame(pfn);
    }
  }
}
