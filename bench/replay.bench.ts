/**
 * Trace replay throughput through the full VMM (TLB on, CLOCK, no memory
 * pressure), for a gzip'd lackey trace and for the same trace in vmm386's
 * binary format, each against a bare decompress-and-scan of the same file in
 * the same run:
 *
 *   lackey bare:   gunzip + count newlines (the stream the replay reads)
 *   lackey gunzip: gunzip alone (how much of the bare figure is decompression)
 *   lackey replay: both passes of `replayTrace` (parse + survey + raw chunk
 *                  spill, then every access through System.access)
 *   binary bare:   read the binary file block by block + sum the addresses
 *   binary replay: both passes of `replayTrace` on the binary file
 *   policy-only:   `replay --policy-only` from the binary file (read, page
 *                  references, policy), at 10 % of the trace's distinct pages
 *
 * Uses ../shared/traces/busybox-awk.lackey.gz (3 M accesses) when present,
 * else the repo's fixture. Figures are the best of a few runs in CPU time
 * of the whole process (zlib's thread-pool work included), so other load on
 * a shared machine skews them less; wall-time figures are given too.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { openTraceInput } from "../src/sim/trace/trace-input.js";
import { readBinary } from "../src/sim/trace/binary-format.js";
import { convertTrace } from "../src/sim/trace/convert.js";
import { replayTrace } from "../src/sim/trace/replay.js";
import { replayPolicyOnly } from "../src/sim/trace/policy-only.js";
import type { PolicyName } from "../src/kernel/replacement/index.js";

const PUBLIC_TRACE = path.resolve(REPO_ROOT, "../shared/traces/busybox-awk.lackey.gz");
const FIXTURE_TRACE = path.resolve(REPO_ROOT, "test/fixtures/traces/tiny-static.lackey.gz");
const RUNS = 10;

export interface Timing {
  /** Best CPU seconds (user + system, all threads of the process). */
  cpu: number;
  /** Best wall-clock seconds. */
  wall: number;
}

/** Best CPU and wall time of `runs` runs of `f`, in seconds, after one warm-up run. */
export async function best(runs: number, f: () => Promise<unknown>): Promise<Timing> {
  await f();
  const t = { cpu: Infinity, wall: Infinity };
  for (let i = 0; i < runs; i++) {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    await f();
    const used = process.cpuUsage(cpu);
    t.cpu = Math.min(t.cpu, (used.user + used.system) / 1e6);
    t.wall = Math.min(t.wall, (performance.now() - wall) / 1000);
  }
  return t;
}

/** gunzip (if gzip'd) and count newlines. */
export async function scanLines(file: string): Promise<number> {
  let lines = 0;
  for await (const buf of (await openTraceInput(file)).bytes()) {
    let i = -1;
    while ((i = buf.indexOf(10, i + 1)) >= 0) lines++;
  }
  return lines;
}

/** gunzip (if gzip'd) and nothing else. */
async function gunzipOnly(file: string): Promise<number> {
  let bytes = 0;
  for await (const b of (await openTraceInput(file)).bytes()) bytes += b.length;
  return bytes;
}

/** Read a binary trace and sum its addresses. */
async function scanBinary(file: string): Promise<number> {
  let sum = 0;
  for await (const c of readBinary(file)) for (let i = 0; i < c.length; i++) sum = (sum + c.addr[i]) | 0;
  return sum;
}

async function replayRate(file: string, tempDir: string): Promise<{ total: Timing; firstPass: number; replayPass: number; accesses: number }> {
  let accesses = 0;
  let firstPass = Infinity;
  let replayPass = Infinity;
  const total = await best(RUNS, async () => {
    const r = await replayTrace(file, { system: { ramBytes: 64 << 20, swapBytes: 16 << 20 }, tempDir });
    if (r.process.status.state !== "exited") throw new Error(`replay of ${file} did not finish: ${JSON.stringify(r.process.status)}`);
    accesses = r.accesses;
    firstPass = Math.min(firstPass, r.seconds.survey);
    replayPass = Math.min(replayPass, r.seconds.replay);
  });
  return { total, firstPass, replayPass, accesses };
}

export const replayBench: Bench = {
  name: "replay",
  async run(): Promise<BenchResult> {
    const trace = fs.existsSync(PUBLIC_TRACE) ? PUBLIC_TRACE : FIXTURE_TRACE;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-replay-"));
    try {
      const bin = path.join(dir, "trace.bin");
      await convertTrace(trace, bin, "binary");

      const lackeyBare = await best(RUNS, () => scanLines(trace));
      const lackeyGunzip = await best(RUNS, () => gunzipOnly(trace));
      const lackey = await replayRate(trace, dir);
      const binaryBare = await best(RUNS, () => scanBinary(bin));
      const binary = await replayRate(bin, dir);
      const n = lackey.accesses;
      const policyOnly: Record<string, number> = {};
      for (const policy of ["clock", "lru", "fifo", "arc"] as PolicyName[]) {
        let references = 0;
        const t = await best(RUNS, async () => {
          references = (await replayPolicyOnly(bin, { frames: 11, policy })).references;
        });
        policyOnly[`policy-only ${policy} from binary references/s`] = Math.round(references / t.cpu);
      }
      return {
        trace: path.basename(trace),
        accesses: n,
        "lackey bare gunzip+scan lines/s": Math.round(n / lackeyBare.cpu),
        "lackey replay accesses/s": Math.round(n / lackey.total.cpu),
        "lackey replay / bare": lackeyBare.cpu / lackey.total.cpu,
        "lackey gunzip only lines/s": Math.round(n / lackeyGunzip.cpu),
        "lackey bare lines/s (wall)": Math.round(n / lackeyBare.wall),
        "lackey replay accesses/s (wall)": Math.round(n / lackey.total.wall),
        "lackey first pass only accesses/s (wall)": Math.round(n / lackey.firstPass),
        "lackey replay pass only accesses/s (wall)": Math.round(n / lackey.replayPass),
        "binary bare read+sum accesses/s": Math.round(n / binaryBare.cpu),
        "binary replay accesses/s": Math.round(n / binary.total.cpu),
        "binary replay / bare": binaryBare.cpu / binary.total.cpu,
        "binary replay accesses/s (wall)": Math.round(n / binary.total.wall),
        "binary replay pass only accesses/s (wall)": Math.round(n / binary.replayPass),
        ...policyOnly,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
