/**
 * Miss-ratio curves of a run: how often a page reference would miss with
 * 1, 2, ... frames, for LRU and OPT, from the run's page reference string
 * (every process's references in order, each page keyed by its address
 * space, as the kernel's policies key it) in one pass each — the stack
 * algorithms of src/sim/mrc, the policy alone as libCacheSim sees a trace.
 * FIFO and CLOCK are not stack algorithms: their curve can rise (Belady).
 */
import { histogramPoints, type MrcResult } from "../mrc/curve.js";
import { LruStack } from "../mrc/lru-stack.js";
import { optHistogram } from "../mrc/opt-stack.js";
import { ReferenceString } from "../scenario/opt-future.js";
import { ScenarioRunner } from "../scenario/runner.js";
import type { Scenario } from "../scenario/types.js";
import { System, type SystemConfig } from "../system.js";

/** Memory sizes of a curve at most (frames). */
const MAX_SIZES = 4096;

/** The LRU and OPT curves of `scenario` run on a fresh System of `config` (LRU, so that no future is needed). */
export function scenarioMissRatioCurves(scenario: Scenario, config: SystemConfig): MrcResult {
  const t0 = performance.now();
  const refs = new ReferenceString();
  const system = System.create({ ...config, policy: "lru", future: undefined });
  let accesses: number;
  try {
    new ScenarioRunner(system, scenario, { references: refs }).runToEnd();
    accesses = system.accessCount;
  } finally {
    system.close();
  }
  const pages = refs.numberString();
  let distinct = 0;
  for (let i = 0; i < pages.length; i++) if (pages[i] + 1 > distinct) distinct = pages[i] + 1;
  const sizes = Math.max(1, Math.min(distinct, MAX_SIZES));
  const lru = new LruStack();
  lru.feed(pages);
  const curve = (policy: "lru" | "opt", h: ReturnType<LruStack["histogram"]>) => ({
    policy,
    method: "exact" as const,
    points: histogramPoints(h, sizes, pages.length),
  });
  return {
    trace: scenario.name,
    format: "scenario",
    accesses,
    references: pages.length,
    distinctPages: distinct,
    curves: [curve("lru", lru.histogram()), curve("opt", optHistogram([pages]))],
    seconds: (performance.now() - t0) / 1000,
  };
}
