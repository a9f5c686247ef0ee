/**
 * How replay scales (issue 8): seeded synthetic traces (src/sim/trace/
 * synthetic.ts) through the full VMM, one Node process per run so each has
 * its own peak RSS and no run inherits another's V8 type feedback.
 *
 * Targets, each next to its baseline measured in the same run:
 *   swap       the issue's trace (mixed: half uniform over 150,000 pages,
 *              half heavy-tailed) at RAM 128M, swap 1G: >= 400 k faults/s,
 *              and >= 0.4 of a raw 4 KiB pwrite+pread loop on the same image
 *              (a swap fault writes one page and reads one: a loop iteration);
 *              beside it the same replay with every page transferred (its
 *              pages are zeros, which the image device need not move) and
 *              a raw pread-only loop;
 *   walk       uniform over 150,000 resident pages, TLB on, no swap:
 *              >= 15 M accesses/s (baseline: reading the same binary trace),
 *              on the run's trace and at the issue's length (2 * 10^7);
 *   slots      faults/s flat within +-25 % from 1 k to 250 k slots in use
 *              (uniform over slots + slots / 10 pages, slots / 10 user
 *              frames, RAM 256M, 32 accesses per page, at least 4 * 10^6);
 *   ram        faults/s flat from RAM 16M to 1G (uniform over 1.5 x the frames
 *              the kernel leaves for user pages, 32 accesses per page, at
 *              least 4 * 10^6: the same mix of faults at every size, past
 *              the JIT's warm-up).
 * Sweeps, one axis at a time around a centre (uniform, 100,000 pages, RAM
 * 64M, swap 1G): trace length 10^6..10^8 (on RAM 256M), pages 10^3..2.5 x
 * 10^5, RAM 16M..1G, swap 64M..2G (10,000 pages on RAM 16M: swap must
 * hold the pages RAM does not), and the patterns; plus the whole `vmm386
 * replay` process (start-up included) on the length sweep.
 *
 * `npm run bench -- --only=scale` runs a quick subset (the targets, the
 * flatness runs, the length and pattern sweeps, on 10^6-access traces;
 * several minutes); add `--full` for the whole grid (10^7-access runs,
 * one of 10^8, and the pages, RAM and swap sweeps: an hour or more);
 * `--part=length,swap-target` runs only the parts named (swap-target,
 * walk-target, slots, ram-flat, and the sweeps length, pages, ram, swap,
 * pattern), so one axis of the full grid can be re-measured alone. Rates are per CPU second (user + system) of the
 * replay pass, which a loaded machine skews less than wall time; whole-
 * process figures are wall and CPU seconds. Traces are generated into a
 * temporary folder and deleted at the end.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { rawLoop, rawReadLoop } from "./kernel.bench.js";
import { REPO_ROOT } from "./repo-root.js";
import { createDiskImage } from "../src/machine/disk-image.js";
import { FileBlockDevice } from "../src/machine/file-block-device.js";
import { PlainBlockDevice } from "../src/machine/plain-block-device.js";
import { MIB } from "../src/machine/units.js";
import { readBinary } from "../src/sim/trace/binary-format.js";
import { System } from "../src/sim/system.js";
import { replayTrace } from "../src/sim/trace/replay.js";
import { writeSyntheticTrace, type SyntheticPattern, type SyntheticTraceSpec } from "../src/sim/trace/synthetic.js";

const SEED = 8;
const ISSUE_PAGES = 150_000;
/** Accesses of the issue's own page-walk trace. */
const ISSUE_WALK_ACCESSES = 20_000_000;
/** Rounds of the flatness runs (see flatness). */
const FLATNESS_ROUNDS = 2;
/** Pages of the raw I/O loop (256 MiB each way). */
const RAW_PAGES = 65_536;

/** One replay: a trace and the machine it runs on. */
interface RunSpec {
  readonly pattern: SyntheticPattern;
  readonly accesses: number;
  readonly pages: number;
  readonly ramMiB: number;
  /** 0: no swap. */
  readonly swapMiB: number;
  readonly userFrames?: number;
  /** An existing swap image to use (the swap target's raw loop runs on it after). */
  readonly swapImage?: string;
  /** Swap on the image with every page transferred (PlainBlockDevice), as a page of data would be. */
  readonly everyTransfer?: boolean;
}

/** What a run measured. */
interface RunResult {
  readonly accesses: number;
  readonly faults: number;
  readonly swapIns: number;
  /** CPU seconds of the replay pass: from the process set up to the last access (not the survey, not the teardown). */
  readonly replayCpu: number;
  readonly wholeCpu: number;
  readonly wholeWall: number;
  readonly peakRssMiB: number;
  readonly segv: number;
}

/** Runs in a child process: replays the trace at `file` as `spec` says and reports. */
export async function replayRun(file: string, spec: RunSpec): Promise<RunResult> {
  const start = process.cpuUsage();
  const wall = performance.now();
  let passStart: NodeJS.CpuUsage | null = null;
  let passEnd: NodeJS.CpuUsage | null = null;
  const plain = spec.everyTransfer === true && spec.swapImage !== undefined ? new PlainBlockDevice(FileBlockDevice.open(spec.swapImage)) : undefined;
  const r = await replayTrace(file, {
    system: {
      ramBytes: spec.ramMiB * MIB,
      swapBytes: spec.swapMiB * MIB,
      swapImage: plain === undefined ? spec.swapImage : undefined,
      swapDevice: plain,
      userFrames: spec.userFrames,
    },
    // The first sample comes before the first access, the last progress report after the last.
    samples: 1,
    onSample: () => {
      passStart ??= process.cpuUsage();
    },
    onProgress: (done, total) => {
      if (done === total) passEnd = process.cpuUsage();
    },
  });
  plain?.close();
  const whole = process.cpuUsage(start);
  const pass = cpuSeconds(passStart ?? start, passEnd ?? process.cpuUsage());
  return {
    accesses: r.accesses,
    faults: r.stats.faults.total,
    swapIns: r.stats.faults.swapIn,
    replayCpu: pass,
    wholeCpu: (whole.user + whole.system) / 1e6,
    wholeWall: (performance.now() - wall) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    segv: r.stats.faults.segv,
  };
}

/** CPU seconds (user + system) between two readings. */
function cpuSeconds(from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number {
  return (to.user - from.user + to.system - from.system) / 1e6;
}

/** `replayRun` in a fresh Node process. */
function replayInChild(file: string, spec: RunSpec): RunResult {
  const self = new URL(import.meta.url).href;
  const call = `m.replayRun(${JSON.stringify(file)}, ${JSON.stringify(spec)})`;
  const script = `import(${JSON.stringify(self)}).then((m) => ${call}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  return JSON.parse(childOutput(["--input-type=module", "-e", script], `replay of ${path.basename(file)}`)) as RunResult;
}

/** The `vmm386` bin as users run it (package.json's), built by `npm run build` once per bench run. */
let builtCli: string | null = null;
function vmm386Bin(): string {
  if (builtCli !== null) return builtCli;
  const build = spawnSync("npm", ["run", "-s", "build"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`scale bench: npm run build failed: ${build.stderr}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
  builtCli = path.join(REPO_ROOT, pkg.bin.vmm386);
  return builtCli;
}

/** Whole `vmm386 replay FILE ...` process, start-up included: wall and CPU seconds, peak RSS. */
function cliInChild(file: string, spec: RunSpec): { wall: number; cpu: number; peakRssMiB: number } {
  const argv = [vmm386Bin(), "replay", file, "--ram", `${spec.ramMiB}M`, "--swap", `${spec.swapMiB}M`, "--json"];
  // The CLI runs as it does for a user; a hook on exit reports what the whole process used.
  const hook = `process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("\\nSCALE " + JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rss: u.maxRSS / 1024 }) + "\\n"); });`;
  const wall = performance.now();
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(hook)}`, ...argv], { encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = (performance.now() - wall) / 1000;
  const line = r.stderr.split("\n").find((l) => l.startsWith("SCALE "));
  if (r.status !== 0 || line === undefined) throw new Error(`scale bench: vmm386 replay failed (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
  const used = JSON.parse(line.slice("SCALE ".length)) as { cpu: number; rss: number };
  return { wall: seconds, cpu: used.cpu, peakRssMiB: used.rss };
}

function childOutput(args: string[], what: string): string {
  const r = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scale bench: ${what} failed (exit ${r.status}): ${r.stderr.slice(0, 1000)}`);
  return r.stdout;
}

/** Generated traces, by spec, in one temporary folder. */
class TraceStore {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-scale-"));
  private readonly made = new Map<string, string>();

  /** The trace file of a run, made on first use. */
  async get(run: RunSpec): Promise<string> {
    const name = `${run.pattern}-${run.accesses}-${run.pages}.bin`;
    const known = this.made.get(name);
    if (known !== undefined) return known;
    const file = path.join(this.dir, name);
    const spec: SyntheticTraceSpec = { pattern: run.pattern, accesses: run.accesses, pages: run.pages, seed: SEED };
    await writeSyntheticTrace(file, spec);
    this.made.set(name, file);
    return file;
  }

  /** Drops a trace that no later run needs (the 10^8 one is 600 MB). */
  drop(file: string): void {
    fs.rmSync(file, { force: true });
    for (const [name, f] of this.made) if (f === file) this.made.delete(name);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Replay-pass rates of a run. */
function rates(r: RunResult): { accessesPerSecond: number; faultsPerSecond: number } {
  return { accessesPerSecond: Math.round(r.accesses / r.replayCpu), faultsPerSecond: Math.round(r.faults / r.replayCpu) };
}

/** One run's figures under `label`. */
function report(out: Record<string, number | string>, label: string, r: RunResult): void {
  const { accessesPerSecond, faultsPerSecond } = rates(r);
  out[`${label}: accesses/s`] = accessesPerSecond;
  out[`${label}: faults/s`] = faultsPerSecond;
  out[`${label}: faults`] = r.faults;
  out[`${label}: faults per access`] = Math.round((r.faults / r.accesses) * 1000) / 1000;
  out[`${label}: peak RSS MiB`] = Math.round(r.peakRssMiB);
  if (r.segv > 0) out[`${label}: SEGV (swap too small?)`] = r.segv;
}

/** Best of `runs` calls of `measure` (the one with the lowest replay CPU). */
function bestOf(runs: number, measure: () => RunResult): RunResult {
  let best: RunResult | null = null;
  for (let i = 0; i < runs; i++) {
    const r = measure();
    if (best === null || r.replayCpu < best.replayCpu) best = r;
  }
  return best as RunResult;
}

/** Largest / smallest of `values`, minus 1: the spread a flat curve keeps within 0.25 either way of its middle. */
function spread(values: number[]): number {
  return Math.max(...values) / Math.min(...values) - 1;
}

/** Whether values stay within +-25 % of the middle of their range. */
function flat(values: number[]): boolean {
  const mid = (Math.max(...values) + Math.min(...values)) / 2;
  return values.every((v) => Math.abs(v / mid - 1) <= 0.25);
}

function label(s: RunSpec): string {
  const user = s.userFrames === undefined ? "" : `, ${s.userFrames} user frames`;
  return `${s.pattern} ${s.accesses.toExponential(0)} accesses, ${s.pages} pages, RAM ${mib(s.ramMiB)}, swap ${mib(s.swapMiB)}${user}`;
}

function mib(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024}G` : `${n}M`;
}

/**
 * The swap target: the issue's trace swap-heavy, and the raw loops on the
 * very image it swapped on. The trace carries no data, so its pages are
 * zeros and the image device skips the transfers that change nothing
 * (src/machine/zero-blocks.ts); the same replay with every page
 * transferred (PlainBlockDevice) is what a swap fault of a page of data
 * costs, one pwrite and one pread, against the raw pwrite+pread loop. The
 * raw pread-only loop bounds a fault that would cost one read.
 */
async function swapTarget(traces: TraceStore, accesses: number, out: Record<string, number | string>): Promise<void> {
  const image = path.join(traces.dir, "swap.img");
  createDiskImage(image, { sizeBytes: MIB + 1024 * MIB, swapBytes: 1024 * MIB });
  const spec: RunSpec = { pattern: "mixed", accesses, pages: ISSUE_PAGES, ramMiB: 128, swapMiB: 1024, swapImage: image };
  const file = await traces.get(spec);
  const r = bestOf(2, () => replayInChild(file, spec));
  const plain = bestOf(2, () => replayInChild(file, { ...spec, everyTransfer: true }));
  let raw = 0;
  let rawReads = 0;
  for (let i = 0; i < 3; i++) {
    raw = Math.max(raw, rawLoop(image, 2 * RAW_PAGES));
    rawReads = Math.max(rawReads, rawReadLoop(image, RAW_PAGES));
  }
  fs.rmSync(image, { force: true });
  const { faultsPerSecond } = rates(r);
  const plainPerSecond = rates(plain).faultsPerSecond;
  const rawPairs = raw / 2;
  report(out, `swap target (${label(spec)})`, r);
  out["swap target, every page transferred: faults/s"] = plainPerSecond;
  out["swap target: raw 4 KiB pwrite+pread pairs/s, same image"] = Math.round(rawPairs);
  out["swap target: raw 4 KiB preads/s, same image"] = Math.round(rawReads);
  out["swap target: faults/s / raw pairs/s"] = faultsPerSecond / rawPairs;
  out["swap target, every page transferred: faults/s / raw pairs/s"] = plainPerSecond / rawPairs;
  out["swap target (>= 400 k faults/s) met"] = faultsPerSecond >= 400_000 ? "yes" : "no";
  out["swap target (>= 0.4 of raw) met"] = faultsPerSecond / rawPairs >= 0.4 ? "yes" : "no";
}

/**
 * The walk target: uniform over 150,000 pages, all resident, against reading
 * the trace itself; and again at the issue's trace length (ISSUE_WALK_ACCESSES)
 * when the run's is shorter. Both figures show: the 150,000 first-touch
 * faults (and the JIT's warm-up) weigh four times more on the shorter trace.
 */
async function walkTarget(traces: TraceStore, accesses: number, out: Record<string, number | string>): Promise<void> {
  const spec: RunSpec = { pattern: "uniform", accesses, pages: ISSUE_PAGES, ramMiB: 1024, swapMiB: 0 };
  const file = await traces.get(spec);
  const r = bestOf(2, () => replayInChild(file, spec));
  const cpu = process.cpuUsage();
  let sum = 0;
  for await (const c of readBinary(file)) for (let i = 0; i < c.length; i++) sum = (sum + c.addr[i]) | 0;
  const used = process.cpuUsage(cpu);
  const bare = accesses / ((used.user + used.system) / 1e6);
  const { accessesPerSecond } = rates(r);
  report(out, `walk target (${label(spec)})`, r);
  if (sum === 0x7fffffff) process.stderr.write(""); // keeps the sum alive
  out["walk target: bare read+sum of the trace, accesses/s"] = Math.round(bare);
  out["walk target (>= 15 M accesses/s) met"] = accessesPerSecond >= 15e6 ? "yes" : "no";
  if (accesses < ISSUE_WALK_ACCESSES) {
    const issue: RunSpec = { ...spec, accesses: ISSUE_WALK_ACCESSES };
    const issueFile = await traces.get(issue);
    const long = bestOf(2, () => replayInChild(issueFile, issue));
    report(out, `walk target at the issue's trace length (${label(issue)})`, long);
    out["walk target at the issue's trace length (>= 15 M accesses/s) met"] = rates(long).accessesPerSecond >= 15e6 ? "yes" : "no";
    traces.drop(issueFile);
  }
}

/** Runs the specs FLATNESS_ROUNDS times, interleaved, reports each one's best, and says whether faults/s stayed flat over them. */
async function flatness(traces: TraceStore, name: string, specs: RunSpec[], out: Record<string, number | string>): Promise<void> {
  const files: string[] = [];
  for (const s of specs) files.push(await traces.get(s));
  // Rounds over all the points, the best of each point kept (as bestOf): a slow spell of the host then
  // falls on one round of every point rather than on one point, whose figure it alone would lower.
  const best: (RunResult | null)[] = specs.map(() => null);
  for (let round = 0; round < FLATNESS_ROUNDS; round++) {
    specs.forEach((s, i) => {
      const r = replayInChild(files[i], s);
      const kept = best[i];
      if (kept === null || r.replayCpu < kept.replayCpu) best[i] = r;
    });
  }
  const perSecond: number[] = [];
  specs.forEach((s, i) => {
    const r = best[i] as RunResult;
    report(out, `${name}: ${label(s)}`, r);
    perSecond.push(rates(r).faultsPerSecond);
  });
  out[`${name}: faults/s max/min - 1`] = spread(perSecond);
  out[`${name}: flat within +-25 %`] = flat(perSecond) ? "yes" : "no";
}

/** A sweep of runs, reported one by one; `cli` adds the whole `vmm386 replay` process for each. */
async function sweep(traces: TraceStore, name: string, specs: RunSpec[], cli: boolean, out: Record<string, number | string>): Promise<void> {
  for (const s of specs) {
    const file = await traces.get(s);
    const r = replayInChild(file, s);
    report(out, `${name}: ${label(s)}`, r);
    const perAccess = (r.replayCpu / r.accesses) * 1e9;
    out[`${name}: ${label(s)}: ns per access`] = Math.round(perAccess);
    if (cli) {
      const c = cliInChild(file, s);
      out[`${name}: ${label(s)}: whole process wall s`] = round2(c.wall);
      out[`${name}: ${label(s)}: whole process CPU s`] = round2(c.cpu);
      out[`${name}: ${label(s)}: whole process peak RSS MiB`] = Math.round(c.peakRssMiB);
    }
    if (s.accesses >= 1e8) traces.drop(file);
  }
}

/** Frames free for user pages once the kernel has booted in `ramMiB` of RAM. */
function freeUserFrames(ramMiB: number): number {
  const system = System.create({ ramBytes: ramMiB * MIB, swapBytes: 0 });
  const frames = system.vmm.freeFrames;
  system.close();
  return frames;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The runs of the quick subset or the full grid. */
function plan(full: boolean): {
  swapAccesses: number;
  walkAccesses: number;
  slots: RunSpec[];
  ram: RunSpec[];
  sweeps: [string, RunSpec[], boolean][];
} {
  const n = full ? 10_000_000 : 1_000_000;
  const centre: RunSpec = { pattern: "uniform", accesses: n, pages: 100_000, ramMiB: 64, swapMiB: 1024 };
  // A tenth of the pages resident at every point, so nine accesses in ten fault whatever the slots in use,
  // and 32 accesses a page, so first touches (demand-zero, no swap-in) are the same share of the faults;
  // at least 4 * 10^6, past the JIT's warm-up, as on the RAM curve (10^6 left the 10 k point 30 % low).
  // With 1,024 user frames at every point, half the accesses of the 1 k point did not fault, against all
  // but 0.4 % at 250 k, and faults/s compared a mix of walks and faults with faults alone.
  const slots = [1_000, 10_000, 100_000, 250_000].map((s) => {
    const userFrames = s / 10;
    const pages = s + userFrames;
    return { ...centre, ramMiB: 256, pages, userFrames, accesses: Math.max(pages * 32, 4_000_000) };
  });
  // 1.5 pages per frame the kernel leaves for user pages: a third of the accesses fault, whatever the RAM.
  // Per frame of RAM it was not: the kernel keeps 1.6 MiB (low memory, its image, its tables), a tenth of
  // 16M, so 40 % of the accesses faulted there against 35 % at 1G, and faults/s at 16M gained 15 % for
  // the same cost per access. 32 accesses a page, at every RAM size: with a fixed length, first touches
  // (demand-zero faults, no I/O) were most of the faults at 1G and few at 16M, and faults/s compared two
  // kinds of fault. At least 4 * 10^6 accesses: since a fault of a page of zeros costs no I/O, the
  // 2 * 10^5 of RAM 16M was mostly the JIT's warm-up (320 k faults/s, 840 k at 3.2 * 10^6).
  const ram = [16, 64, 256, 1024].map((ramMiB) => {
    const pages = Math.round(1.5 * freeUserFrames(ramMiB));
    return { ...centre, ramMiB, pages, accesses: Math.max(pages * 32, 4_000_000), swapMiB: Math.max(64, ramMiB) };
  });
  // RAM 256M: a third of the accesses still fault, and the 10^8-access run takes minutes, not an hour.
  const lengths = (full ? [1e6, 1e7, 1e8] : [1e6, 3e6]).map((accesses) => ({ ...centre, accesses, ramMiB: 256 }));
  const pages = [1_000, 10_000, 100_000, 250_000].map((p) => ({ ...centre, pages: p }));
  const rams = [16, 64, 256, 1024].map((ramMiB) => ({ ...centre, ramMiB }));
  const swaps = [64, 256, 1024, 2048].map((swapMiB) => ({ ...centre, pages: 10_000, ramMiB: 16, swapMiB }));
  const patterns = (["uniform", "heavy-tailed", "scan", "loop", "mixed"] as const).map((pattern) => ({ ...centre, pattern }));
  const sweeps: [string, RunSpec[], boolean][] = [["length", lengths, true]];
  if (full) sweeps.push(["pages", pages, false], ["RAM", rams, false], ["swap", swaps, false]);
  sweeps.push(["pattern", patterns, false]);
  return { swapAccesses: full ? 20_000_000 : 2_000_000, walkAccesses: full ? ISSUE_WALK_ACCESSES : 5_000_000, slots, ram, sweeps };
}

export const scaleBench: Bench = {
  name: "scale",
  async run(): Promise<BenchResult> {
    const full = process.argv.includes("--full");
    const parts = process.argv.find((a) => a.startsWith("--part="))?.slice("--part=".length).split(",");
    const wanted = (part: string): boolean => parts === undefined || parts.includes(part.toLowerCase());
    const p = plan(full);
    const traces = new TraceStore();
    const out: Record<string, number | string> = { grid: full ? "full" : "quick (add --full for the whole grid)" };
    try {
      if (wanted("swap-target")) await swapTarget(traces, p.swapAccesses, out);
      if (wanted("walk-target")) await walkTarget(traces, p.walkAccesses, out);
      if (wanted("slots")) await flatness(traces, "slots", p.slots, out);
      if (wanted("ram-flat")) await flatness(traces, "ram", p.ram, out);
      for (const [name, specs, cli] of p.sweeps) if (wanted(name)) await sweep(traces, name, specs, cli, out);
    } finally {
      traces.remove();
    }
    return out;
  },
};
