/// <reference lib="dom" />
/**
 * The playground in Chromium (the built site, Debian's chromium through
 * playwright-core, as the browser tests run it), timed as a student lives
 * through it: from moving the scrubber to the page having drawn the new move.
 *
 *   jump:  random jumps, back and forward, over the demo scenario (each one
 *          made by the worker's real kernel, going back by running again);
 *          median and worst of JUMPS, and the worker's share.
 *   jump-cpu: JUMPS more, under a Chromium trace: the CPU time of the page's
 *          thread per jump (its tasks between the jump's marks). On a loaded
 *          machine it is steadier than the wall time, which waits for cores.
 *   trace: the public 3 M-access busybox-awk lackey trace (gzip'd) uploaded
 *          and replayed in the page — gunzip, parse, survey, the replay pass,
 *          the first views drawn — from choosing the file to the page showing
 *          the run (the page's clock), against `vmm386 replay FILE` as a user
 *          runs it (the bundled bin, a process of its own, start-up
 *          included) and against `replayTrace` (what the command runs) in
 *          this Node process, warm; best of TRACE_RUNS each, wall time.
 *
 * `--part=jump` or `--part=trace` runs only that part (the trace's takes minutes).
 */
import type { Browser, Page } from "playwright-core";
import type { Bench, BenchResult } from "./index.js";
import * as path from "node:path";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./repo-root.js";
import { SITE_DIR, buildSite, launchChromium, serve } from "../test/web/site.js";
import { replayTrace } from "../src/sim/trace/replay.js";
import { systemConfig } from "../src/sim/machine-settings.js";

const JUMPS = 40;
/** The parts `--part=` names (jump, trace); all when absent. */
const PARTS = process.argv.find((a) => a.startsWith("--part="))?.slice("--part=".length).split(",");
const wanted = (part: string): boolean => PARTS === undefined || PARTS.includes(part);
const TRACE_RUNS = 3;
const PUBLIC_TRACE = path.resolve(REPO_ROOT, "../shared/traces/busybox-awk.lackey.gz");
/** The bin `npm run bench` builds first (npm run build). */
const BIN = path.join(REPO_ROOT, "dist/bin/vmm386.js");

/**
 * Scrubs to `target` and resolves once the page has drawn it: the first animation frame that
 * finds the move on the page, then a task after that frame, so that the frame's style, layout and
 * paint count (they are most of a jump's drawing; an animation frame callback runs before them).
 * Milliseconds taken, and the worker's share.
 */
async function jump(page: Page, target: number, index = 0): Promise<[number, number]> {
  return page.evaluate(async ([to, i]) => {
    const input = document.querySelector<HTMLInputElement>('input[type=range]')!;
    const shown = () => document.querySelector('[data-testid="move"]')?.textContent?.replace(/,/g, "") === String(to);
    performance.mark(`jump ${i} start`);
    const t0 = performance.now();
    input.value = String(to);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    while (!shown()) await new Promise((r) => requestAnimationFrame(() => r(null)));
    await new Promise((r) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => r(null);
      channel.port2.postMessage(null);
    });
    const ms = performance.now() - t0;
    performance.mark(`jump ${i} end`);
    return [ms, Number(document.body.dataset.workerMs)] as [number, number];
  }, [target, index] as const);
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string };
}

/** Makes a jump to each of `targets` under a Chromium trace; the page's thread's CPU ms in each. */
async function jumpCpu(browser: Browser, page: Page, targets: readonly number[]): Promise<number[]> {
  await browser.startTracing(page, { categories: ["toplevel", "blink.user_timing"] });
  for (const [i, to] of targets.entries()) await jump(page, to, i);
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const marks = new Map(traceEvents.filter((e) => e.name.startsWith("jump ")).map((e) => [e.name, e.ts]));
  const markPid = traceEvents.find((e) => e.name === "jump 0 start")?.pid;
  const main = traceEvents.find((e) => e.name === "thread_name" && e.pid === markPid && e.args?.name === "CrRendererMain");
  const tasks = topLevel(traceEvents.filter((e) => e.pid === main?.pid && e.tid === main?.tid && e.ph === "X" && e.name === "ThreadControllerImpl::RunTask"));
  return targets.map((_, i) => cpuBetween(tasks, marks.get(`jump ${i} start`) ?? 0, marks.get(`jump ${i} end`) ?? 0));
}

/** `tasks` without those inside another's span (sorted by start). */
function topLevel(tasks: readonly TraceEvent[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const t of [...tasks].sort((a, b) => a.ts - b.ts)) {
    const last = out.at(-1);
    if (last === undefined || t.ts >= last.ts + (last.dur ?? 0)) out.push(t);
  }
  return out;
}

/** CPU ms of `tasks` between trace times `from` and `to` (a task cut by either counted in proportion). */
function cpuBetween(tasks: readonly TraceEvent[], from: number, to: number): number {
  let us = 0;
  for (const t of tasks) {
    const wall = t.dur ?? 0;
    const overlap = Math.min(t.ts + wall, to) - Math.max(t.ts, from);
    if (overlap > 0 && wall > 0) us += ((t.tdur ?? wall) * overlap) / wall;
  }
  return us / 1000;
}

export const playgroundBench: Bench = {
  name: "playground",
  async run(): Promise<BenchResult> {
    await buildSite();
    const site = await serve(SITE_DIR);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(site.url);
      await page.getByTestId("position").waitFor();
      const total = Number((await page.locator("input[type=range]").getAttribute("max")) ?? 0);
      let seed = 12345;
      const times: number[] = [];
      const worker: number[] = [];
      for (let i = 0; i < (wanted("jump") ? JUMPS : 0); i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const [ms, workerMs] = await jump(page, seed % (total + 1));
        times.push(ms);
        worker.push(workerMs);
      }
      const cpuTargets: number[] = [];
      for (let i = 0; i < (wanted("jump-cpu") ? JUMPS : 0); i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        cpuTargets.push(seed % (total + 1));
      }
      const cpu = cpuTargets.length === 0 ? [] : (await jumpCpu(browser, page, cpuTargets)).sort((a, b) => a - b);
      times.sort((a, b) => a - b);
      worker.sort((a, b) => a - b);
      const trace = existsSync(PUBLIC_TRACE) && wanted("trace") ? await traceFigures(page, site.url) : {};
      const cpuFigures: BenchResult = cpu.length === 0 ? {} : {
        "jump page-thread CPU median ms": round(cpu[Math.floor(cpu.length / 2)]),
        "jump page-thread CPU 90th percentile ms": round(cpu[Math.floor(cpu.length * 0.9)]),
        "jump page-thread CPU worst ms": round(cpu[cpu.length - 1]),
      };
      if (times.length === 0) return { ...trace, ...cpuFigures };
      return {
        ...trace,
        ...cpuFigures,
        "demo moves": total,
        "jump median ms": round(times[Math.floor(times.length / 2)]),
        "jump 90th percentile ms": round(times[Math.floor(times.length * 0.9)]),
        "jump worst ms": round(times[times.length - 1]),
        "worker (seek + views) median ms": round(worker[Math.floor(worker.length / 2)]),
        "worker (seek + views) worst ms": round(worker[worker.length - 1]),
      };
    } finally {
      await browser.close();
      await site.close();
    }
  },
};

/** Seconds to replay the public trace in the page, by the command and in this process, best of TRACE_RUNS each, and the ratios. */
async function traceFigures(page: Page, url: string): Promise<BenchResult> {
  let pageBest = Infinity;
  let nodeBest = Infinity;
  let cliBest = Infinity;
  for (let i = 0; i < TRACE_RUNS; i++) {
    await page.goto("about:blank");
    await page.goto(url);
    await page.getByTestId("position").waitFor();
    await page.getByLabel(/upload a trace/).setInputFiles(PUBLIC_TRACE);
    await page.waitForFunction(() => document.body.dataset.traceMs !== undefined, null, { timeout: 600_000 });
    // The page's own clock, from the file chosen to the run shown (not the test driver's upload of the file).
    pageBest = Math.min(pageBest, Number(await page.evaluate(() => document.body.dataset.traceMs)) / 1000);
    const t1 = performance.now();
    await replayTrace(PUBLIC_TRACE, { system: systemConfig({}) });
    nodeBest = Math.min(nodeBest, (performance.now() - t1) / 1000);
    const t2 = performance.now();
    const cli = spawnSync(process.execPath, [BIN, "replay", PUBLIC_TRACE], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (cli.status !== 0) throw new Error(`vmm386 replay failed (exit ${cli.status ?? cli.signal}): ${cli.stderr}`);
    cliBest = Math.min(cliBest, (performance.now() - t2) / 1000);
  }
  return {
    "trace replay in the page s": round(pageBest),
    "trace vmm386 replay (whole process) s": round(cliBest),
    "trace replayTrace in this process (warm) s": round(nodeBest),
    "page speed / vmm386 replay's": round(cliBest / pageBest),
    "page speed / warm replayTrace's": round(nodeBest / pageBest),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
