/**
 * Shared by the per-policy tests: the whole reference string of each public
 * trace (from the fixtures) checked against the published miss counts.
 */
import { expect, it } from "vitest";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { loadExpected, loadRefsFixture, missesByFrames, TRACE_NAMES } from "../../helpers/refs-fixture.js";

/** One `it` per trace: `policy` on the full string gives exactly each label's misses at every frame count. */
export function itMatchesOnFullTraces(labels: readonly string[], policy: PolicyName, faultSetsReferenced = true): void {
  it.each(TRACE_NAMES)(`equals ${labels.join(" and ")} at every frame count on the full %s string`, (name) => {
    const part = loadExpected()[name].full;
    const got = missesByFrames(loadRefsFixture(name), part.frames, policy, faultSetsReferenced);
    for (const label of labels) expect(got, label).toEqual(part.misses[label]);
  });
}
