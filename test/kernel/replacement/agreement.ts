/**
 * Shared by the per-policy tests: the public traces' reference strings
 * (from the fixtures) checked against the published miss counts.
 *
 * A policy's agreement with libCacheSim is proven once on a whole
 * 3-million-reference string, busybox-awk's, at every frame count; on the
 * busybox-gzip and c-matmul strings it is proven on their 200,000-reference
 * prefixes wherever libCacheSim's counts for those exist (the classic
 * policies' in policy-replay.test.ts, the later ones' here), and on the
 * whole strings, at every other frame count from the smallest, only where
 * they do not (ARC, SIEVE, S3-FIFO). Each whole-string replay runs the same
 * code over the same kind of trace for seconds; a policy that goes wrong
 * goes wrong on the prefixes and at neighbouring sizes too.
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

/**
 * One `it` per trace whose full string is checked: `policy` gives exactly each
 * label's misses at its checked frame counts (fullStringFrames). Busybox-awk's
 * string always; the other two only when some label has no counts for their
 * prefixes (policy-replay.test.ts checks the prefixes of those that have).
 */
export function itMatchesOnFullTraces(labels: readonly string[], policy: PolicyName, faultSetsReferenced = true): void {
  const expected = loadExpected();
  const traces = TRACE_NAMES.filter((name) => name === FULL_TRACE || labels.some((label) => !(label in expected[name].prefix_200k.misses)));
  it.each(traces)(`equals ${labels.join(" and ")} on the full %s string`, (name) => {
    const part = loadExpected()[name].full;
    const frames = fullStringFrames(name, part.frames);
    const got = missesByFrames(loadRefsFixture(name), frames, policy, faultSetsReferenced);
    for (const label of labels) expect(got, label).toEqual(at(part.misses[label], frames));
  });
}

/** A whole string or its first 200,000 references. */
type Part = "full" | "prefix_200k";

/** The trace whose whole string every policy is checked on. */
const FULL_TRACE = "busybox-awk";

/** Where a policy with libCacheSim counts for every part is checked: the whole busybox-awk string and each string's 200,000-reference prefix. */
export const CHECKED_PARTS: readonly (readonly [string, Part])[] = [[FULL_TRACE, "full"], ...TRACE_NAMES.map((trace) => [trace, "prefix_200k"] as const)];

/** The fixture string of `trace`, whole or its first 200,000 references. */
function refsOf(trace: string, part: Part): Int32Array {
  const refs = loadRefsFixture(trace);
  return part === "full" ? refs : refs.subarray(0, 200_000);
}

/**
 * One `it` per trace and part of CHECKED_PARTS: `policy` gives exactly
 * libCacheSim's `label` misses (libcachesim-policies.json) at every frame
 * count `where` accepts (of a full string, those fullStringFrames keeps).
 */
export function itMatchesLibCacheSim(label: string, policy: PolicyChoice, where: (frames: number) => boolean = () => true): void {
  it.each(CHECKED_PARTS)(`equals ${label} on the %s string (%s)`, (trace, part) => {
    const all = loadLibCacheSimPolicies().misses[trace][part][label];
    const frames = checkedFrames(trace, part, Object.keys(all).map(Number).filter(where));
    expect(frames.length).toBeGreaterThan(0);
    expect(missesByFrames(refsOf(trace, part), frames, policy)).toEqual(at(all, frames));
  });
}

/** Of `frames`, those checked on `trace`'s `part`: fullStringFrames' for a full string, all for a prefix. */
function checkedFrames(trace: string, part: Part, frames: readonly number[]): number[] {
  return part === "full" ? fullStringFrames(trace, frames) : [...frames];
}

/** libCacheSim's `label` misses at the frame counts `where` accepts (and checkedFrames keeps), and vmm386's there, for relations. */
export function bothAt(label: string, policy: PolicyChoice, trace: string, part: Part, where: (frames: number) => boolean): { lib: number[]; ours: number[] } {
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
      const [trace, part] = key.split("/") as [string, Part];
      const frames = Object.keys(all).map(Number).filter(where);
      expect(frames.length, key).toBeGreaterThan(0);
      const want = Object.fromEntries(frames.map((f) => [String(f), all[String(f)]]));
      expect(missesByFrames(refsOf(trace, part), frames, parsed.choice), key).toEqual(want);
    }
  });
}
