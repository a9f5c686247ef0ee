/**
 * Host memory of a big simulated machine: a 1 GiB machine that touches
 * 10 MiB (one word in each of 2,560 frames spread over all of RAM) must stay
 * under 100 MiB of host RSS; the same for 3 GiB.
 *
 * RSS is a per-process figure, so each machine is measured in a fresh child
 * Node process (same loader as this run), with a GC before each reading:
 * `baseline` is the bare process, `created` after createMachine (MMU, TLB,
 * boot information), `touched` after the writes. `hostBytes` is what
 * PhysicalMemory holds for frame contents.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./index.js";
import { createMachine } from "../src/machine/machine.js";
import { PAGE_SIZE } from "../src/machine/i386.js";

const MIB = 1024 * 1024;
const TOUCHED_FRAMES = 2560;
const RSS_LIMIT = 100 * MIB;

interface Probe {
  baseline: number;
  created: number;
  touched: number;
  hostBytes: number;
  backedFrames: number;
}

/** Runs in the child: builds a machine of `ramBytes`, writes one word per touched frame, reports RSS. */
export function probe(ramBytes: number): Probe {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const baseline = process.memoryUsage().rss;
  const machine = createMachine({ ramBytes, cpu: "p6" });
  gc();
  const created = process.memoryUsage().rss;
  const frames = ramBytes / PAGE_SIZE;
  const stride = Math.floor(frames / TOUCHED_FRAMES);
  for (let i = 0; i < TOUCHED_FRAMES; i++) machine.memory.write32((256 + i * stride) % frames * PAGE_SIZE + 64, i + 1);
  gc();
  const touched = process.memoryUsage().rss;
  return { baseline, created, touched, hostBytes: machine.memory.hostBytes, backedFrames: machine.memory.backedFrames };
}

/** Runs `probe(ramBytes)` in a fresh Node process with this process's loader flags. */
function probeInChild(ramBytes: number): Probe {
  const self = new URL(import.meta.url).href;
  const script = `import(${JSON.stringify(self)}).then((m) => process.stdout.write(JSON.stringify(m.probe(${ramBytes}))))`;
  const r = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", "--input-type=module", "-e", script], {
    encoding: "utf8",
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  if (r.status !== 0) throw new Error(`memory probe for ${ramBytes} bytes failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

export const memoryBench: Bench = {
  name: "memory",
  run(): BenchResult {
    const result: Record<string, number | string> = {};
    for (const [label, ramBytes] of [["1GiB", 1024 * MIB], ["3GiB", 3072 * MIB]] as const) {
      const p = probeInChild(ramBytes);
      result[`${label} touched frames`] = p.backedFrames;
      result[`${label} rss baseline MiB`] = mib(p.baseline);
      result[`${label} rss after createMachine MiB`] = mib(p.created);
      result[`${label} rss after touching 10 MiB MiB`] = mib(p.touched);
      result[`${label} rss growth MiB`] = mib(p.touched - p.baseline);
      result[`${label} PhysicalMemory.hostBytes MiB`] = mib(p.hostBytes);
      result[`${label} under 100 MiB RSS`] = p.touched < RSS_LIMIT ? "yes" : "NO";
    }
    return result;
  },
};
