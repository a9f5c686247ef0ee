/**
 * Runs the benchmarks in bench/index.ts; `--json` prints one object, else a
 * table per bench; `--only=NAME` runs those whose name contains NAME;
 * `--full` runs the scale bench's whole grid rather than its quick subset,
 * `--part=A,B` only those of its parts.
 *
 * Each bench runs in a Node process of its own (this script again, with
 * `--child=NAME`), as each vmm386 command does: in one shared process the
 * benches before it would leave V8 type feedback from other machines and
 * paths in the shared code (a TLB that is off, a kernel under pressure),
 * and the replay figures would depend on the order of the benches.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benches, type BenchResult } from "./index.js";

const child = process.argv.find((a) => a.startsWith("--child="))?.slice("--child=".length);
if (child !== undefined) {
  const bench = benches.find((b) => b.name === child);
  if (bench === undefined) throw new Error(`no bench named ${child}`);
  process.stdout.write(JSON.stringify(await bench.run()));
} else {
  await runAll();
}

async function runAll(): Promise<void> {
  const json = process.argv.includes("--json");
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const results: Record<string, BenchResult> = {};
  for (const bench of benches) {
    if (only && !bench.name.includes(only)) continue;
    if (!json) process.stderr.write(`running ${bench.name}...\n`);
    const result = runInChild(bench.name);
    results[bench.name] = result;
    if (!json) {
      console.log(`\n${bench.name}`);
      for (const [k, v] of Object.entries(result)) {
        console.log(`  ${k.padEnd(40)} ${typeof v === "number" ? fmt(v) : v}`);
      }
    }
  }
  if (json) console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
}

function runInChild(name: string): BenchResult {
  const self = fileURLToPath(import.meta.url);
  // --full and --part= (the scale bench's grid and its parts) reach the child too.
  const full = process.argv.filter((a) => a === "--full" || a.startsWith("--part="));
  const r = spawnSync(process.execPath, [...process.execArgv, self, `--child=${name}`, ...full], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout) as BenchResult;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(3);
}
