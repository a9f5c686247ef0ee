/**
 * Miss-ratio curve throughput (issue 10): references per second of `vmm386
 * mrc`'s one pass on the three public traces in vmm386's binary format
 * (9 M references), against a bare read of the same files that makes their
 * page references and sums them, in the same run:
 *
 *   bare:        read the binary file + page references (what every pass does)
 *   lru exact:   profileTrace, exact LRU curve (the target: >= 20 M/s)
 *   opt exact:   the whole string kept, next uses, OPT's priority stack
 *   shards:      SHARDS at rate 0.01, fixed size 64 pages
 *   minisim:     LRU and CLOCK at rate 0.1, six sizes each
 *   in memory:   the LRU stack alone on Int32Arrays (no reading)
 *   process:     `node dist/cli/main.js mrc T.bin --json` (the `vmm386` bin, built
 *                first), start-up included (wall time)
 *
 * The traces come from ../shared/traces/*.lackey.gz (else VMM386_TRACES),
 * or the repository's fixtures of the same strings. Figures are the best of
 * RUNS in CPU time (user + system, all threads) after a warm-up run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchResult } from "./index.js";
import { REPO_ROOT } from "./repo-root.js";
import { best } from "./replay.bench.js";
import { LruStack } from "../src/sim/mrc/lru-stack.js";
import { profileTrace, type MrcOptions } from "../src/sim/mrc/profile.js";
import { readBinary } from "../src/sim/trace/binary-format.js";
import { convertTrace } from "../src/sim/trace/convert.js";
import { WidePages, pageReferences } from "../src/sim/trace/wide-pages.js";
import { PageString } from "../src/sim/next-use.js";
import { decodeRefs, TRACE_NAMES } from "../test/helpers/refs-fixture.js";

const RUNS = 5;
const PROCESS_RUNS = 5;

/** The three traces as vmm386 binary files in `dir`, from the public lackey traces or the refs fixtures. */
async function binaryTraces(dir: string): Promise<{ files: string[]; source: string }> {
  const traces = process.env.VMM386_TRACES ?? path.join(REPO_ROOT, "../shared/traces");
  const public_ = TRACE_NAMES.every((n) => fs.existsSync(path.join(traces, `${n}.lackey.gz`)));
  const files: string[] = [];
  for (const name of TRACE_NAMES) {
    const bin = path.join(dir, `${name}.bin`);
    let input = path.join(traces, `${name}.lackey.gz`);
    if (!public_) {
      input = path.join(dir, `${name}.refs`);
      const refs = decodeRefs(fs.readFileSync(path.join(REPO_ROOT, `test/fixtures/refs/${name}.refs.gz`)));
      fs.writeFileSync(input, Array.from(refs).join("\n") + "\n");
    }
    await convertTrace(input, bin, "binary");
    files.push(bin);
  }
  return { files, source: public_ ? `${traces}/*.lackey.gz` : "test/fixtures/refs (no traces found)" };
}

/** The page reference string of a binary trace, in memory. */
async function pageString(file: string): Promise<Int32Array> {
  const string = new PageString(1 << 20);
  const wide = new WidePages();
  let refs = new Int32Array(0);
  for await (const chunk of readBinary(file)) {
    if (refs.length < 2 * chunk.length) refs = new Int32Array(2 * chunk.length);
    string.append(pageReferences(chunk, refs, wide));
  }
  return string.view().slice();
}

/** Reads every file and sums its page references: the floor of any pass. */
async function bare(files: readonly string[]): Promise<number> {
  let sum = 0;
  const wide = new WidePages();
  let refs = new Int32Array(0);
  for (const f of files) {
    for await (const chunk of readBinary(f)) {
      if (refs.length < 2 * chunk.length) refs = new Int32Array(2 * chunk.length);
      const pages = pageReferences(chunk, refs, wide);
      for (let i = 0; i < pages.length; i++) sum = (sum + pages[i]) | 0;
    }
  }
  return sum;
}

/** References per CPU second of profileTrace over every file with `options`. */
async function rate(files: readonly string[], references: number, options: MrcOptions): Promise<number> {
  const t = await best(RUNS, async () => {
    for (const f of files) await profileTrace(f, options);
  });
  return Math.round(references / t.cpu);
}

/** CPU and wall seconds of one process `node ARGS`: bash's `times` gives its children's user and system time. */
function processTimes(args: readonly string[]): { cpu: number; wall: number; stdout: string } {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const script = `'${process.execPath}' ${quoted} > "$OUT"; status=$?; times; exit $status`;
  const out = path.join(os.tmpdir(), `vmm386-bench-mrc-${process.pid}.json`);
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, OUT: out } });
  const wall = (performance.now() - t0) / 1000;
  const stdout = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
  fs.rmSync(out, { force: true });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${r.stderr}`);
  const children = r.stdout.trim().split("\n")[1].split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m === null ? NaN : Number(m[1]) * 60 + Number(m[2]);
  });
  return { cpu: children[0] + children[1], wall, stdout };
}

/**
 * The whole `vmm386 mrc FILE --json` process (the `vmm386` bin, dist/, built
 * first), start-up included, and `vmm386 --version` for the start-up alone:
 * best CPU and wall seconds of PROCESS_RUNS runs.
 */
function wholeProcess(file: string): { cpu: number; wall: number; startupCpu: number; references: number } {
  const tsc = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", path.join(REPO_ROOT, "tsconfig.build.json")], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  const main = path.join(REPO_ROOT, "dist/cli/main.js");
  const t = { cpu: Infinity, wall: Infinity, startupCpu: Infinity, references: 0 };
  for (let i = 0; i < PROCESS_RUNS; i++) {
    const run = processTimes([main, "mrc", file, "--json"]);
    t.references = (JSON.parse(run.stdout) as { references: number }).references;
    t.cpu = Math.min(t.cpu, run.cpu);
    t.wall = Math.min(t.wall, run.wall);
    t.startupCpu = Math.min(t.startupCpu, processTimes([main, "--version"]).cpu);
  }
  return t;
}

export const mrcBench: Bench = {
  name: "mrc",
  async run(): Promise<BenchResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bench-mrc-"));
    try {
      const { files, source } = await binaryTraces(dir);
      let references = 0;
      for (const f of files) references += (await profileTrace(f, { exact: [] })).references;
      const bareTime = await best(RUNS, () => bare(files));
      const lru = await rate(files, references, { exact: ["lru"] });
      const strings = await Promise.all(files.map(pageString));
      const inMemory = await best(RUNS, async () => {
        for (const s of strings) new LruStack().feed(s);
      });
      const process_ = wholeProcess(files[1]);
      return {
        source,
        references,
        "bare read + page references/s": Math.round(references / bareTime.cpu),
        "lru exact from binary references/s": lru,
        "lru exact in memory references/s": Math.round(strings.reduce((n, s) => n + s.length, 0) / inMemory.cpu),
        "opt exact from binary references/s": await rate(files, references, { exact: ["opt"] }),
        "lru+opt exact from binary references/s": await rate(files, references, { exact: ["lru", "opt"] }),
        "shards rate 0.01 from binary references/s": await rate(files, references, { shards: { rate: 0.01 } }),
        "shards 64 pages from binary references/s": await rate(files, references, { shards: { maxPages: 64 } }),
        "minisim 0.1 lru+clock 6 sizes references/s": await rate(files, references, {
          minisim: { rate: 0.1, policies: ["lru", "clock"], sizes: [8, 16, 32, 64, 128, 256] },
        }),
        "process: trace": path.basename(files[1]),
        "process: mrc --json CPU seconds": process_.cpu,
        "process: mrc --json wall seconds": process_.wall,
        "process: vmm386 --version CPU seconds (start-up)": process_.startupCpu,
        "process: references/s (CPU, start-up included)": Math.round(process_.references / process_.cpu),
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
