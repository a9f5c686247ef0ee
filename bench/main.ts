/** Runs every benchmark in bench/index.ts; `--json` prints one object, else a table per bench. */
import { benches } from "./index.js";

const json = process.argv.includes("--json");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const results: Record<string, unknown> = {};
for (const bench of benches) {
  if (only && !bench.name.includes(only)) continue;
  if (!json) process.stderr.write(`running ${bench.name}...\n`);
  const result = await bench.run();
  results[bench.name] = result;
  if (!json) {
    console.log(`\n${bench.name}`);
    for (const [k, v] of Object.entries(result)) {
      console.log(`  ${k.padEnd(40)} ${typeof v === "number" ? fmt(v) : v}`);
    }
  }
}
if (json) console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));

function fmt(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(3);
}
