/// <reference lib="dom" />
/**
 * The playground in Chromium (the built site, Debian's chromium through
 * playwright-core, as the browser tests run it), timed as a student lives
 * through it: from moving the scrubber to the page showing the new move.
 *
 *   jump: random jumps, back and forward, over the demo scenario (each one
 *         made by the worker's real kernel, going back by running again);
 *         median and worst of JUMPS, and the worker's share.
 */
import type { Page } from "playwright-core";
import type { Bench, BenchResult } from "./index.js";
import { SITE_DIR, buildSite, launchChromium, serve } from "../test/web/site.js";

const JUMPS = 40;

/** Scrubs to `target` and resolves once the page shows it; milliseconds taken. */
async function jump(page: Page, target: number): Promise<[number, number]> {
  return page.evaluate(async (to) => {
    const input = document.querySelector<HTMLInputElement>('input[type=range]')!;
    const shown = () => document.querySelector('[data-testid="move"]')?.textContent?.replace(/,/g, "") === String(to);
    const t0 = performance.now();
    input.value = String(to);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    while (!shown()) await new Promise((r) => requestAnimationFrame(() => r(null)));
    return [performance.now() - t0, Number(document.body.dataset.workerMs)] as [number, number];
  }, target);
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
      for (let i = 0; i < JUMPS; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const [ms, workerMs] = await jump(page, seed % (total + 1));
        times.push(ms);
        worker.push(workerMs);
      }
      times.sort((a, b) => a - b);
      worker.sort((a, b) => a - b);
      return {
        "demo moves": total,
        "jump median ms": round(times[Math.floor(times.length / 2)]),
        "jump 90th percentile ms": round(times[Math.floor(times.length * 0.9)]),
        "jump worst ms": round(times[times.length - 1]),
        "worker (seek + views) median ms": round(worker[Math.floor(worker.length / 2)]),
      };
    } finally {
      await browser.close();
      await site.close();
    }
  },
};

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
