import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { emptySurvey, surveyChunk, PAGE_FLAG } from "../../../src/sim/trace/trace-survey.js";
import { TraceChunk } from "../../../src/sim/trace/trace-chunk.js";

const access = fc.record({
  // Addresses near page ends (straddles) and at the top of the address space (wrap-around) included.
  addr: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 40 }).map((k) => (0xfffff000 + 4096 * (k % 3) - k) >>> 0)),
  kind: fc.integer({ min: 0, max: 3 }),
  size: fc.integer({ min: 1, max: 4096 }),
});

describe("trace survey", () => {
  it("counts kinds, references, straddles and distinct pages, and flags each page, as a plain per-access count does", () => {
    fc.assert(
      fc.property(fc.array(fc.array(access, { maxLength: 70, size: "max" }), { maxLength: 4, size: "max" }), (chunks) => {
        const s = emptySurvey();
        const byKind = [0, 0, 0, 0];
        const flags = new Map<number, number>();
        let straddles = 0;
        for (const accesses of chunks) {
          const chunk = new TraceChunk(Math.max(1, accesses.length));
          accesses.forEach((a, i) => {
            chunk.addr[i] = a.addr | 0;
            chunk.kind[i] = a.kind;
            chunk.size[i] = a.size;
            byKind[a.kind]++;
            const flag = PAGE_FLAG.TOUCHED | (a.kind === 0 ? PAGE_FLAG.FETCHED : 0) | (a.kind >= 2 ? PAGE_FLAG.WRITTEN : 0);
            const first = a.addr >>> 12;
            const last = Math.floor((a.addr + a.size - 1) / 4096) % (1 << 20);
            for (const p of first === last ? [first] : [first, last]) flags.set(p, (flags.get(p) ?? 0) | flag);
            if (first !== last) straddles++;
          });
          chunk.length = accesses.length;
          surveyChunk(s, chunk);
        }
        const n = byKind.reduce((x, y) => x + y, 0);
        expect(s.byKind).toEqual(byKind);
        expect([s.accesses, s.straddles, s.references, s.distinctPages]).toEqual([n, straddles, n + straddles, flags.size]);
        for (const [p, f] of flags) if (s.pages[p] !== f) expect(s.pages[p], `page 0x${p.toString(16)}`).toBe(f);
        expect(touchedPages(s.pages)).toBe(flags.size);
      }),
      { numRuns: 200 },
    );
  });
});

/** Pages with any flag set (a plain loop: reduce's callback per page of the million made this test take seconds). */
function touchedPages(pages: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < pages.length; p++) if (pages[p] !== 0) n++;
  return n;
}
