/**
 * Shared by the per-policy tests: the whole reference string of each public
 * trace (from the fixtures) checked against the published miss counts.
 *
 * The busybox-awk string is checked at every frame count; the other two at
 * every other one (from the smallest): each replay of a 3-million-reference
 * string runs the same code over the same trace, and a policy that goes
 * wrong goes wrong at neighbouring sizes too, so the skipped sizes prove
 * nothing the kept ones and awk's full row do not.
 */
import { expect, it } from "vitest";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { parsePolicySpec, type PolicyChoice } from "../../../src/sim/policy-spec.js";
import { loadExpected, loadLibCacheSimPolicies, loadRefsFixture, missesByFrames, TRACE_NAMES } from "../../helpers/refs-fixture.js";

/** The frame counts of `frames` at which the full string of `trace` is checked: all for busybox-awk, every other one for the others. */
export function fullStringFrames(trace: string, frames: readonly number[]): number[] {
  return trace === "busybox-awk" ? [...frames] : frames.filter((_, i) => i % 2 === 0);
}

/** The entries of `misses` (frames → count) at `frames`. */
function at(misses: Readonly<Record<string, number>>, frames: readonly number[]): Record<string, number> {
  return Object.fromEntries(frames.map((f) => [String(f), misses[String(f)]]));
}

/** One `it` per trace: `policy` on the full string gives exactly each label's misses at its checked frame counts (fullStringFrames). */
export function itMatchesOnFullTraces(labels: readonly string[], policy: PolicyName, faultSetsReferenced = true): void {
  it.each(TRACE_NAMES)(`equals ${labels.join(" and ")} on the full %s string`, (name) => {
    const part = loadExpected()[name].full;
    const frames = fullStringFrames(name, part.frames);
    const got = missesByFrames(loadRefsFixture(name), frames, policy, faultSetsReferenced);
    for (const label of labels) expect(got, label).toEqual(at(part.misses[label], frames));
  });
}

const PARTS = ["full", "prefix_200k"] as const;

/** The fixture string of `trace`, whole or its first 200,000 references. */
function refsOf(trace: string, part: (typeof PARTS)[number]): Int32Array {
  const refs = loadRefsFixture(trace);
  return part === "full" ? refs : refs.subarray(0, 200_000);
}

/**
 * One `it` per trace and part: `policy` gives exactly libCacheSim's `label`
 * misses (libcachesim-policies.json) at every frame count `where` accepts
 * (of a full string, those fullStringFrames keeps).
 */
export function itMatchesLibCacheSim(label: string, policy: PolicyChoice, where: (frames: number) => boolean = () => true): void {
  const cases = TRACE_NAMES.flatMap((trace) => PARTS.map((part) => [trace, part] as const));
  it.each(cases)(`equals ${label} on the %s string (%s)`, (trace, part) => {
    const all = loadLibCacheSimPolicies().misses[trace][part][label];
    const frames = checkedFrames(trace, part, Object.keys(all).map(Number).filter(where));
    expect(frames.length).toBeGreaterThan(0);
    expect(missesByFrames(refsOf(trace, part), frames, policy)).toEqual(at(all, frames));
  });
}

/** Of `frames`, those checked on `trace`'s `part`: fullStringFrames' for a full string, all for a prefix. */
function checkedFrames(trace: string, part: (typeof PARTS)[number], frames: readonly number[]): number[] {
  return part === "full" ? fullStringFrames(trace, frames) : [...frames];
}

/** libCacheSim's `label` misses at the frame counts `where` accepts (and checkedFrames keeps), and vmm386's there, for relations. */
export function bothAt(label: string, policy: PolicyChoice, trace: string, part: (typeof PARTS)[number], where: (frames: number) => boolean): { lib: number[]; ours: number[] } {
  const all = loadLibCacheSimPolicies().misses[trace][part][label];
  const frames = checkedFrames(trace, part, Object.keys(all).map(Number).filter(where));
  const ours = missesByFrames(refsOf(trace, part), frames, policy);
  return { lib: frames.map((f) => all[String(f)]), ours: frames.map((f) => ours[String(f)]) };
}

/**
 * One `it` per string: the spec `text` (a policy with parameters) gives
 * exactly the misses libCacheSim gave with the same parameters in its own
 * spelling, at every frame count `where` accepts.
 */
export function itMatchesLibCacheSimWithParams(text: string, where: (frames: number) => boolean): void {
  it(`${text} equals libCacheSim's ${loadLibCacheSimPolicies().params[text].libCacheSim}`, () => {
    const parsed = parsePolicySpec(text);
    if ("problem" in parsed) throw new Error(parsed.problem);
    const entry = loadLibCacheSimPolicies().params[text];
    for (const [key, all] of Object.entries(entry.misses)) {
      const [trace, part] = key.split("/") as [string, (typeof PARTS)[number]];
      const frames = Object.keys(all).map(Number).filter(where);
      expect(frames.length, key).toBeGreaterThan(0);
      const want = Object.fromEntries(frames.map((f) => [String(f), all[String(f)]]));
      expect(missesByFrames(refsOf(trace, part), frames, parsed.choice), key).toEqual(want);
    }
  });
}
