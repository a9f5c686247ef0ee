/** Small formatting helpers shared by the HTML report and the terminal tables (no chart library here). */

/** "97.3 %" from TLB counters, or "off" when there were no lookups. */
export function tlbRate(tlb: Readonly<Record<string, number>>): string {
  const hits = tlb.hits ?? 0;
  const lookups = hits + (tlb.misses ?? 0);
  return lookups === 0 ? "off" : `${((100 * hits) / lookups).toFixed(1)} %`;
}
