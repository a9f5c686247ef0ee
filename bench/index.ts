/**
 * Benchmarks: each one measures a path and its bare baseline in the same run.
 * `npm run bench` runs them all; `npm run bench -- --json` prints one JSON object.
 */
import { translateBench } from "./translate.bench.js";
import { memoryBench } from "./memory.bench.js";
import { policyBench } from "./policy.bench.js";
import { kernelBench } from "./kernel.bench.js";
import { replayBench } from "./replay.bench.js";
import { invariantsBench } from "./invariants.bench.js";
import { startupBench } from "./startup.bench.js";
import { mrcBench } from "./mrc.bench.js";
import { trace64Bench } from "./trace64.bench.js";
import { processesBench } from "./processes.bench.js";
import { reclaimBench } from "./reclaim.bench.js";
import { scaleBench } from "./scale.bench.js";
import { playgroundBench } from "./playground.bench.js";

export interface BenchResult {
  /** Figures by name: accesses/s, ratios, bytes. */
  readonly [figure: string]: number | string;
}

export interface Bench {
  readonly name: string;
  run(): Promise<BenchResult> | BenchResult;
}

export const benches: Bench[] = [translateBench, memoryBench, policyBench, kernelBench, replayBench, invariantsBench, mrcBench, trace64Bench, processesBench, reclaimBench, startupBench, scaleBench, playgroundBench];
