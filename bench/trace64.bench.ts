/**
 * 64-bit programs: replaying an x86-64 trace, and recording one with
 * `vmm386 record`, each against its bare baseline in the same run.
 *
 *   replay (in process): both passes of `replayTrace` on a gzip'd x86-64
 *     lackey trace (its stack addresses are 10 hex digits and take the
 *     parser's general path), against gunzip + count newlines, as the
 *     `replay` bench does for a 32-bit trace: CPU time, best of a few runs.
 *   replay (whole process): `vmm386 replay TRACE --json`, start-up included.
 *   record (whole process: CPU of every process, and wall time, best of a few): a real program under
 *     lackey, bare (`valgrind ... --log-fd=9 PROG 9>FILE`) against
 *     `vmm386 record -o FILE` (plain and .gz), and bare `valgrind ... | vmm386
 *     replay -` against `vmm386 record -- PROG` (the trace replayed as it comes).
 *
 * Uses ../shared/traces64/x64-gzip.lackey.gz (5 M accesses) when present,
 * else the repo's fixture; the record part needs valgrind on the PATH.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { best, scanLines, type Timing } from "./replay.bench.js";
import { replayTrace } from "../src/sim/trace/replay.js";
import { findOnPath } from "../src/sim/trace/record.js";

const PUBLIC_TRACE = path.resolve(REPO_ROOT, "../shared/traces64/x64-gzip.lackey.gz");
const FIXTURE_TRACE = path.resolve(REPO_ROOT, "test/fixtures/traces/x64-sort-head.lackey.gz");
/** The CLI as this bench's build compiled it. */
const CLI = path.resolve(import.meta.dirname, "../src/cli/main.js");
const RUNS = 5;
/** Runs of each record command (each runs a program under Valgrind for seconds). */
const RECORD_RUNS = 3;
/** The program recorded: GNU ls on a large directory, about 1.5 M accesses under lackey. */
const PROGRAM = ["/bin/ls", "-l", "/usr/lib"];
const LACKEY = ["--tool=lackey", "--trace-mem=yes", "--vgdb=no"];

/**
 * Best CPU seconds (user + system of every process it started: Valgrind,
 * Node, zlib's threads) and best wall seconds of `runs` runs of a shell
 * command line, after one warm-up run. CPU from bash's `times`, which a
 * shared machine's other load skews far less than wall time.
 */
export function bestRun(runs: number, command: string): Timing {
  const t: Timing = { cpu: Infinity, wall: Infinity };
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const r = spawnSync("bash", ["-c", `${command}\ntimes >&3`], { stdio: ["ignore", "ignore", "inherit", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bench command failed (exit ${r.status ?? r.signal}): ${command}`);
    const wall = (performance.now() - start) / 1000;
    const children = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(String(r.output[3]));
    if (children === null) throw new Error(`no times from: ${command}`);
    const cpu = 60 * Number(children[1]) + Number(children[2]) + 60 * Number(children[3]) + Number(children[4]);
    if (i > 0) {
      t.cpu = Math.min(t.cpu, cpu);
      t.wall = Math.min(t.wall, wall);
    }
  }
  return t;
}

export function quote(args: readonly string[]): string {
  return args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
}

async function replayFigures(trace: string, dir: string): Promise<BenchResult> {
  let accesses = 0;
  let firstPass = Infinity;
  const bare = (await best(RUNS, () => scanLines(trace))).cpu;
  const replay = (await best(RUNS, async () => {
    const r = await replayTrace(trace, { system: { ramBytes: 64 << 20, swapBytes: 16 << 20 }, tempDir: dir });
    if (r.stats.faults.segv !== 0 || r.process.status.state !== "exited") throw new Error(`replay of ${trace} did not finish cleanly`);
    accesses = r.accesses;
    firstPass = Math.min(firstPass, r.seconds.survey);
  })).cpu;
  const cli = bestRun(RUNS, `${quote([process.execPath, CLI, "replay", trace, "--json"])} >/dev/null`);
  return {
    trace: path.basename(trace),
    accesses,
    "lackey bare gunzip+scan lines/s": Math.round(accesses / bare),
    "replay accesses/s": Math.round(accesses / replay),
    "replay / bare": bare / replay,
    "first pass only accesses/s (wall)": Math.round(accesses / firstPass),
    "vmm386 replay, whole process (s CPU)": cli.cpu,
    "vmm386 replay, whole process (s, wall)": cli.wall,
  };
}

function recordFigures(dir: string): BenchResult {
  const program = quote(PROGRAM);
  const valgrind = `valgrind ${LACKEY.join(" ")} --log-fd=9`;
  const vmm386 = quote([process.execPath, CLI]);
  const plain = path.join(dir, "rec.lackey");
  const gz = path.join(dir, "rec.lackey.gz");
  const bareFile = bestRun(RECORD_RUNS, `${valgrind} ${program} 9>${plain} >/dev/null`);
  const recordFile = bestRun(RECORD_RUNS, `${vmm386} record -o ${plain} -- ${program} >/dev/null`);
  const recordGz = bestRun(RECORD_RUNS, `${vmm386} record -o ${gz} -- ${program} >/dev/null`);
  const barePipe = bestRun(RECORD_RUNS, `${valgrind} ${program} 9>&1 >/dev/null | ${vmm386} replay - --json >/dev/null`);
  const recordReplay = bestRun(RECORD_RUNS, `${vmm386} record --json -- ${program} >/dev/null 2>&1`);
  const accesses = fs
    .readFileSync(plain, "latin1")
    .split("\n")
    .filter((l) => l.startsWith("I") || l.startsWith(" ")).length;
  return {
    program: PROGRAM.join(" "),
    "program accesses": accesses,
    "valgrind lackey to a file (s CPU)": bareFile.cpu,
    "record -o FILE (s CPU)": recordFile.cpu,
    "record -o FILE / bare (CPU)": recordFile.cpu / bareFile.cpu,
    "record -o FILE.gz (s CPU)": recordGz.cpu,
    "record -o FILE.gz / bare (CPU)": recordGz.cpu / bareFile.cpu,
    "valgrind | vmm386 replay - (s CPU)": barePipe.cpu,
    "record, replayed as it comes (s CPU)": recordReplay.cpu,
    "record replay / valgrind | replay (CPU)": recordReplay.cpu / barePipe.cpu,
    "valgrind lackey to a file (s, wall)": bareFile.wall,
    "record -o FILE (s, wall)": recordFile.wall,
    "record, replayed as it comes (s, wall)": recordReplay.wall,
  };
}

export const trace64Bench: Bench = {
  name: "trace64",
  async run(): Promise<BenchResult> {
    const trace = fs.existsSync(PUBLIC_TRACE) ? PUBLIC_TRACE : FIXTURE_TRACE;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-trace64-"));
    try {
      const replay = await replayFigures(trace, dir);
      const record: BenchResult = findOnPath("valgrind") === null ? { record: "skipped: no valgrind on the PATH" } : recordFigures(dir);
      return { ...replay, ...record };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
