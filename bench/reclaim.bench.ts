/**
 * Modern reclaim's speed (issue 11): the public traces through the full VMM
 * under memory pressure, with linux and mglru against CLOCK in the same run.
 *
 *   in process: both passes of `replayTrace` on each trace in vmm386's
 *     binary format (parsing a lackey file would only dilute the policies'
 *     share), --user-frames at 10 % of the trace's distinct pages (16, 11
 *     and 39: every policy evicts tens of thousands of times), TLB on; CPU
 *     time, best of a few runs, the three policies taking turns in each
 *     round so that load on a shared machine falls on all of them alike;
 *   whole process: `vmm386 replay busybox-awk.lackey.gz --user-frames 11
 *     --policy P --json`, start-up and lackey parsing included.
 *
 * Each policy's figure is accesses per second and its ratio to CLOCK's (the
 * target: at least 0.5). Uses ../shared/traces/*.lackey.gz when present,
 * else the whole reference strings of test/fixtures/refs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { bestRun, quote } from "./trace64.bench.js";
import type { PolicyName } from "../src/kernel/replacement/index.js";
import { convertTrace } from "../src/sim/trace/convert.js";
import { replayTrace } from "../src/sim/trace/replay.js";
import { TRACE_NAMES, loadRefsFixture } from "../test/helpers/refs-fixture.js";

const TRACES = path.resolve(REPO_ROOT, "../shared/traces");
const CLI = path.resolve(import.meta.dirname, "../src/cli/main.js");
const POLICIES: readonly PolicyName[] = ["clock", "linux", "mglru"];
const ROUNDS = 5;
/** 10 % of each trace's distinct pages, as reference.json's smallest curve points. */
const FRAMES: Record<(typeof TRACE_NAMES)[number], number> = { "busybox-gzip": 16, "busybox-awk": 11, "c-matmul": 39 };

/** The trace in vmm386's binary format (from the public lackey trace, else the fixture's string). */
async function binaryTrace(name: string, dir: string): Promise<string> {
  const lackey = path.join(TRACES, `${name}.lackey.gz`);
  const source = fs.existsSync(lackey) ? lackey : path.join(dir, `${name}.refs`);
  if (source !== lackey) fs.writeFileSync(source, Array.from(loadRefsFixture(name)).join("\n") + "\n");
  const bin = path.join(dir, `${name}.bin`);
  await convertTrace(source, bin, "binary");
  return bin;
}

/** CPU seconds of one replay of `bin` under `policy` with `frames` user frames. */
async function replayCpu(bin: string, policy: PolicyName, frames: number, dir: string): Promise<{ cpu: number; accesses: number }> {
  const start = process.cpuUsage();
  const r = await replayTrace(bin, { system: { ramBytes: 16 << 20, swapBytes: 16 << 20, policy, userFrames: frames }, tempDir: dir });
  const used = process.cpuUsage(start);
  if (r.stats.faults.segv !== 0 || r.process.status.state !== "exited") throw new Error(`replay of ${bin} under ${policy} did not finish cleanly`);
  return { cpu: (used.user + used.system) / 1e6, accesses: r.accesses };
}

/** Accesses/s of each policy on one trace, best of ROUNDS after a warm-up round, and each ratio to CLOCK. */
async function traceFigures(name: (typeof TRACE_NAMES)[number], dir: string): Promise<BenchResult> {
  const bin = await binaryTrace(name, dir);
  const bestCpu = new Map<PolicyName, number>(POLICIES.map((p) => [p, Infinity]));
  let accesses = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    for (const policy of POLICIES) {
      const r = await replayCpu(bin, policy, FRAMES[name], dir);
      accesses = r.accesses;
      if (round > 0) bestCpu.set(policy, Math.min(bestCpu.get(policy) as number, r.cpu));
    }
  }
  const clock = bestCpu.get("clock") as number;
  const out: Record<string, number> = {};
  for (const policy of POLICIES) {
    out[`${name} ${policy} accesses/s`] = Math.round(accesses / (bestCpu.get(policy) as number));
    if (policy !== "clock") out[`${name} ${policy} / clock`] = clock / (bestCpu.get(policy) as number);
  }
  return out;
}

/** `vmm386 replay` of busybox-awk under each policy: CPU of the whole process, best of a few. */
function cliFigures(): BenchResult {
  const trace = path.join(TRACES, "busybox-awk.lackey.gz");
  if (!fs.existsSync(trace)) return { "vmm386 replay": "skipped: no public trace" };
  const out: Record<string, number> = {};
  for (const policy of POLICIES) {
    const t = bestRun(3, `${quote([process.execPath, CLI, "replay", trace, "--user-frames", "11", "--policy", policy, "--json"])} >/dev/null`);
    out[`vmm386 replay busybox-awk --policy ${policy} (s CPU)`] = t.cpu;
  }
  return out;
}

export const reclaimBench: Bench = {
  name: "reclaim",
  async run(): Promise<BenchResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-reclaim-"));
    try {
      let figures: BenchResult = { source: fs.existsSync(TRACES) ? `${TRACES}/*.lackey.gz` : "test/fixtures/refs" };
      for (const name of TRACE_NAMES) figures = { ...figures, ...(await traceFigures(name, dir)) };
      return { ...figures, ...cliFigures() };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
