/**
 * Policy-only replay throughput (issue 4 item 6): references per second of
 * `PolicyReplay` for CLOCK, LRU, FIFO and ARC (plus the other policies) on
 * the whole page reference strings of the public traces, held in memory,
 * against a bare loop summing the same Int32Array in the same run.
 *
 * The strings come from ../shared/traces/*.lackey.gz when present (else
 * VMM386_TRACES), otherwise from the repo's fixtures of the same traces.
 * Frames: 10% of each trace's distinct pages (reference.json's "10%" size),
 * where every policy evicts steadily. Each figure is the best of ROUNDS (7)
 * passes over all three strings after a warm-up pass; all policies run in
 * one process, so the engine's call sites see every policy, as in a sweep.
 * libCacheSim's cachesim does 66–86 M references/s from its binary format on
 * the reference machine (issue 4), which is the yardstick.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repo-root.js";
import type { PolicyName } from "../src/kernel/replacement/index.js";
import { NextUseTable, PolicyReplay } from "../src/sim/policy-replay.js";
import { readLackeyPages } from "../test/helpers/lackey-pages.js";
import { loadRefsFixture, TRACE_NAMES } from "../test/helpers/refs-fixture.js";
import type { Bench, BenchResult } from "./index.js";

const ROUNDS = 7;
const POLICIES: readonly PolicyName[] = ["clock", "lru", "fifo", "arc", "sieve", "s3-fifo", "opt", "2q", "lirs", "slru", "lfu", "clock-pro"];

interface Input {
  readonly name: string;
  readonly refs: Int32Array;
  readonly frames: number;
  readonly future: NextUseTable;
}

async function loadInputs(): Promise<{ inputs: Input[]; source: string }> {
  const dir = process.env.VMM386_TRACES ?? join(REPO_ROOT, "../shared/traces");
  const fromTraces = TRACE_NAMES.every((n) => existsSync(join(dir, `${n}.lackey.gz`)));
  const inputs: Input[] = [];
  for (const name of TRACE_NAMES) {
    const refs = fromTraces ? await readLackeyPages(join(dir, `${name}.lackey.gz`)) : loadRefsFixture(name);
    const frames = Math.max(1, Math.round(new Set(refs).size * 0.1));
    inputs.push({ name, refs, frames, future: NextUseTable.build([refs]) });
  }
  return { inputs, source: fromTraces ? `${dir}/*.lackey.gz` : "test/fixtures/refs (no traces found)" };
}

/** Seconds for one replay of every input through `policy`; the misses guard against dead code. */
function replayAll(inputs: readonly Input[], policy: PolicyName): { seconds: number; misses: number } {
  let seconds = 0;
  let misses = 0;
  for (const input of inputs) {
    const replay = new PolicyReplay({ frames: input.frames, policy, future: input.future });
    const t0 = process.hrtime.bigint();
    replay.feed(input.refs);
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    misses += replay.misses;
  }
  return { seconds, misses };
}

function bareSum(refs: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < refs.length; i++) sum = (sum + refs[i]) | 0;
  return sum;
}

export const policyBench: Bench = {
  name: "policy",
  async run(): Promise<BenchResult> {
    const { inputs, source } = await loadInputs();
    const total = inputs.reduce((n, i) => n + i.refs.length, 0);
    const result: Record<string, number | string> = {
      "reference strings": source,
      references: total,
      frames: inputs.map((i) => `${i.name} ${i.frames}`).join(", "),
    };
    for (const policy of POLICIES) replayAll(inputs, policy); // warm-up
    for (const policy of POLICIES) {
      let best = Infinity;
      for (let r = 0; r < ROUNDS; r++) best = Math.min(best, replayAll(inputs, policy).seconds);
      result[`${policy} references/s`] = Math.round(total / best);
    }
    let bestBare = Infinity;
    let guard = 0;
    for (let r = 0; r < ROUNDS + 2; r++) {
      const t0 = process.hrtime.bigint();
      for (const input of inputs) guard ^= bareSum(input.refs);
      bestBare = Math.min(bestBare, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    result["bare sum references/s"] = Math.round(total / bestBare);
    result["clock / bare"] = (result["clock references/s"] as number) / (total / bestBare);
    result["lru / bare"] = (result["lru references/s"] as number) / (total / bestBare);
    result["(guard)"] = guard;
    return result;
  },
};
