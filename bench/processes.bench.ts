/**
 * Many processes (issue 13): the fork scenario of examples/many-forks.yaml
 * (4 MiB RAM, 8 MiB swap; a parent touches 64 KiB and forks N children,
 * each writes 64 KiB and yields 100 times) at N = 100, 1,000 and 10,000.
 *
 *   in-process:    CPU seconds of the run alone (the runner to the end and
 *                  its result; not the machine's boot or its swap image),
 *                  best of a few after a warm-up run, in this process;
 *   whole process: `vmm386 run FILE --json` as a user runs it, start-up
 *                  included: wall and CPU seconds and peak RSS, read by a
 *                  preloaded module at the child's exit (process.resourceUsage).
 *
 * Targets: N = 10,000 in at most 10 times the time of N = 1,000 (the cost of
 * a process does not grow with those before it), under 400 MB of host
 * memory. A long single-process run (a touch and a tick per step, a sample
 * after every tick) is run at two lengths, 4 times apart: its peak RSS must
 * not grow with the length (the recorder's series is bounded).
 *
 * The bin is built first (`npm run build`), so the whole-process figures
 * are those of what `vmm386` runs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { parse } from "yaml";
import { resolveScenario, type RawScenario } from "../src/sim/scenario/resolve.js";
import { runScenario } from "../src/sim/scenario/runner.js";
import { System } from "../src/sim/system.js";
import { RUSAGE_FILE_VARIABLE, type ExitUsage } from "./exit-usage.js";

const SIZES = [100, 1_000, 10_000];
/** In-process runs of each size (the best is taken): fewer of the largest. */
const RUNS: Readonly<Record<number, number>> = { 100: 3, 1000: 3, 10000: 2 };
const MIB = 1024 * 1024;
const RSS_LIMIT_MB = 400;
/** Steps of the long single-process run, and the longer one 4 times that. */
const LONG_STEPS = 15_000;

/** The fork scenario with `n` children (examples/many-forks.yaml at another N). */
function forkScenario(n: number): string {
  const example = fs.readFileSync(path.join(REPO_ROOT, "examples/many-forks.yaml"), "utf8");
  const text = example.replace(/times: \d+, steps: \[\{fork: child\}\]/, `times: ${n}, steps: [{fork: child}]`);
  if (text === example && !example.includes(`times: ${n}, steps: [{fork: child}]`)) throw new Error("examples/many-forks.yaml has no repeat of fork: child");
  return text;
}

/** One process touching a random word of 1 MiB 200 times, then ticking, `steps` times over, sampled after every tick. */
function longScenario(steps: number): string {
  return `name: a long single process
sampleEvery: tick
ticksPerRound: 0
machine: {ram: 4M, swap: 8M}
processes:
  - name: app
    steps:
      - brk: +1M
      - repeat: {times: ${steps}, steps: [{touch: {at: heap, length: 1M, pattern: random, count: 200}}, {tick: 1}]}
      - exit: 0
`;
}

/**
 * CPU seconds of one run of `yaml` in this process. The text is resolved
 * without the schema check (the bench's own scenarios are valid, and the
 * compiled bench does not sit where the loader finds the schema).
 */
function inProcess(yaml: string): number {
  const scenario = resolveScenario(parse(yaml) as RawScenario, "bench.yaml", () => "bench.yaml");
  const system = System.create({ ramBytes: 4 * MIB, swapBytes: 8 * MIB });
  try {
    const cpu = process.cpuUsage();
    const r = runScenario(system, scenario);
    const used = process.cpuUsage(cpu);
    if (r.processes.some((p) => p.state !== "exited")) throw new Error("a process of the bench scenario did not exit");
    return (used.user + used.system) / 1e6;
  } finally {
    system.close();
  }
}

/** The best of `runs` in-process runs of `yaml`. */
function bestInProcess(yaml: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, inProcess(yaml));
  return best;
}

interface WholeProcess {
  readonly wall: number;
  readonly cpu: number;
  readonly peakRssMb: number;
}

/** `vmm386 run FILE --json` in a child process: wall and CPU seconds and peak RSS. */
function wholeProcess(bin: string, file: string, dir: string): WholeProcess {
  const usageFile = path.join(dir, "usage.json");
  const preload = new URL("./exit-usage.js", import.meta.url).href;
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--import", preload, bin, "run", file, "--json"], {
    encoding: "utf8",
    env: { ...process.env, [RUSAGE_FILE_VARIABLE]: usageFile },
    maxBuffer: 64 * MIB,
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`vmm386 run ${file} failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as ExitUsage;
  return { wall, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMb: usage.maxRSS / 1024 };
}

/** Builds the bin (`npm run build`) and returns its path, from package.json. */
function buildBin(): string {
  const r = spawnSync("npm", ["run", "-s", "build"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
  return path.join(REPO_ROOT, pkg.bin.vmm386);
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const processesBench: Bench = {
  name: "processes",
  run(): BenchResult {
    const bin = buildBin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-processes-"));
    try {
      const result: Record<string, number | string> = {};
      inProcess(forkScenario(1_000)); // warm-up
      const cpu = new Map<number, number>();
      for (const n of SIZES) {
        cpu.set(n, bestInProcess(forkScenario(n), RUNS[n]));
        const file = path.join(dir, `forks-${n}.yaml`);
        fs.writeFileSync(file, forkScenario(n));
        const whole = wholeProcess(bin, file, dir);
        const label = `N=${n.toLocaleString("en-US")}`;
        result[`${label} run CPU s (in-process)`] = round(cpu.get(n) as number, 3);
        result[`${label} run CPU µs per process`] = Math.round(((cpu.get(n) as number) / n) * 1e6);
        result[`${label} vmm386 run wall s`] = round(whole.wall);
        result[`${label} vmm386 run CPU s`] = round(whole.cpu);
        result[`${label} vmm386 run peak RSS MB`] = round(whole.peakRssMb, 1);
        if (n === 10_000) result["N=10,000 under 400 MB RSS"] = whole.peakRssMb < RSS_LIMIT_MB ? "yes" : "NO";
      }
      const ratio = (cpu.get(10_000) as number) / (cpu.get(1_000) as number);
      result["N=10,000 / N=1,000 run CPU (in-process)"] = round(ratio);
      result["N=10,000 within 10x of N=1,000"] = ratio <= 10 ? "yes" : "NO";
      const rss: number[] = [];
      for (const steps of [LONG_STEPS, 4 * LONG_STEPS]) {
        const file = path.join(dir, `long-${steps}.yaml`);
        fs.writeFileSync(file, longScenario(steps));
        const whole = wholeProcess(bin, file, dir);
        rss.push(whole.peakRssMb);
        result[`long run ${steps.toLocaleString("en-US")} steps: vmm386 run wall s`] = round(whole.wall);
        result[`long run ${steps.toLocaleString("en-US")} steps: peak RSS MB`] = round(whole.peakRssMb, 1);
      }
      result["long run RSS growth at 4x the length MB"] = round(rss[1] - rss[0], 1);
      return result;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
