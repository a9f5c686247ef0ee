/**
 * What a user waits for, whole process, start-up included: the bin as
 * `npm run build` makes it (dist/bin/vmm386.js), against `node -e 0`
 * measured in the same run, the commands interleaved round by round so a
 * burst of load on a shared machine hits them alike. Figures are medians of
 * wall-clock milliseconds (the process's own CPU time is not visible to its
 * parent here), and each ratio is a median over rounds of the round's ratio.
 *
 *   version:      vmm386 --version
 *   policy-only:  vmm386 replay --policy-only on a one-reference trace (start-up alone)
 *   5M LRU:       vmm386 replay --policy-only --policy lru on 5 million references
 *                 in vmm386's binary format, and, when LIBCACHESIM_BIN names
 *                 libCacheSim's cachesim, cachesim on the same references as
 *                 oracleGeneral records (the miss ratios agree: LRU is exact)
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { convertTrace } from "../src/sim/trace/convert.js";

const BIN = path.join(REPO_ROOT, "dist/bin/vmm386.js");
const ROUNDS = 21;
const LONG_ROUNDS = 5;
const REFERENCES = 5_000_000;
const FRAMES = 4096;

export const startupBench: Bench = {
  name: "startup",
  async run(): Promise<BenchResult> {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build first`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-startup-"));
    try {
      const one = path.join(dir, "one.refs");
      fs.writeFileSync(one, "5\n");
      const starts = rounds(dir, ROUNDS, {
        node: [process.execPath, "-e", "0"],
        version: [process.execPath, BIN, "--version"],
        policyOnly: [process.execPath, BIN, "replay", one, "--policy-only", "--user-frames", "8"],
      });
      return { ...startFigures(starts), ...(await fiveMillion(dir)) };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

function startFigures(r: Record<string, number[]>): BenchResult {
  return {
    "node -e 0 ms (median)": median(r.node),
    "vmm386 --version ms (median)": median(r.version),
    "vmm386 --version / node -e 0 (median of rounds)": medianRatio(r.version, r.node),
    "replay --policy-only, 1 reference, ms (median)": median(r.policyOnly),
    "replay --policy-only start / node -e 0 (median of rounds)": medianRatio(r.policyOnly, r.node),
  };
}

/** The 5M-reference LRU replay from the binary format, whole process, and cachesim on the same references if given. */
async function fiveMillion(dir: string): Promise<BenchResult> {
  const refs = path.join(dir, "five.refs");
  writeReferenceString(refs, REFERENCES);
  const bin = path.join(dir, "five.bin");
  const oracle = path.join(dir, "five.oracleGeneral.bin");
  await convertTrace(refs, bin, "binary");
  await convertTrace(refs, oracle, "oracleGeneral");
  const cachesim = process.env.LIBCACHESIM_BIN;
  const commands: Record<string, string[]> = {
    vmm386: [process.execPath, BIN, "replay", bin, "--policy-only", "--policy", "lru", "--user-frames", String(FRAMES), "--json"],
  };
  if (cachesim !== undefined) commands.cachesim = [cachesim, oracle, "oracleGeneral", "lru", String(FRAMES), "--ignore-obj-size", "1"];
  const r = rounds(dir, LONG_ROUNDS, commands);
  const missRatio = (JSON.parse(run(dir, commands.vmm386).stdout) as { missRatio: number }).missRatio;
  const figures: BenchResult = {
    "5M LRU policy-only, binary, whole process, ms (median)": median(r.vmm386),
    "5M LRU policy-only miss ratio": missRatio.toFixed(4),
  };
  if (cachesim === undefined) return { ...figures, "cachesim": "not run: set LIBCACHESIM_BIN to libCacheSim's cachesim" };
  const cachesimRatio = /miss ratio ([\d.]+)/.exec(run(dir, commands.cachesim).stdout)?.[1] ?? "unreadable";
  return {
    ...figures,
    "cachesim 5M LRU, oracleGeneral, ms (median)": median(r.cachesim),
    "vmm386 / cachesim, whole process (median of rounds)": medianRatio(r.vmm386, r.cachesim),
    "cachesim miss ratio (the same: LRU is exact)": cachesimRatio,
  };
}

/**
 * A reference string of `n` pages, seeded: loops over a working set that
 * moves every 100,000 references, with a tenth of the references scattered
 * over 60,000 pages (a miss-ratio curve with a knee, as programs have).
 */
function writeReferenceString(file: string, n: number): void {
  const out = fs.openSync(file, "w");
  let x = 12345;
  let text = "";
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const base = Math.floor(i / 100_000) * 512;
    const page = x % 10 === 0 ? (x >>> 8) % 60_000 : base + (i % 3000);
    text += `${page}\n`;
    if (text.length > 1 << 20) {
      fs.writeSync(out, text);
      text = "";
    }
  }
  fs.writeSync(out, text);
  fs.closeSync(out);
}

/**
 * Wall milliseconds of each command, `n` rounds, the commands in the same
 * order each round, each run in `dir` (cachesim writes its results file,
 * `<trace>.cachesim`, into its working directory).
 */
function rounds(dir: string, n: number, commands: Record<string, string[]>): Record<string, number[]> {
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) {
    run(dir, commands[name]); // warm the page cache
    times[name] = [];
  }
  for (let round = 0; round < n; round++) {
    for (const [name, argv] of Object.entries(commands)) {
      const t = performance.now();
      run(dir, argv);
      times[name].push(performance.now() - t);
    }
  }
  return times;
}

function run(dir: string, argv: string[]): { stdout: string } {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  return { stdout: r.stdout };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 10) / 10;
}

/** The median over rounds of a[i] / b[i]. */
function medianRatio(a: readonly number[], b: readonly number[]): number {
  const ratios = a.map((x, i) => x / b[i]).sort((p, q) => p - q);
  return Math.round(ratios[Math.floor(ratios.length / 2)] * 100) / 100;
}
