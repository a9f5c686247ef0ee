/**
 * The playground in a real browser (Debian's Chromium through
 * playwright-core): every capability the page offers, driven as a student
 * would, against the real kernel running in the page's Web Worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SITE_DIR, buildSite, launchChromium, serve, watchErrors } from "./site.js";

let browser: Browser;
let site: { url: string; close(): Promise<void> };

beforeAll(async () => {
  await buildSite();
  site = await serve(SITE_DIR);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function open(hash = ""): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(site.url + hash);
  await page.getByTestId("position").waitFor();
  return { page, errors };
}

async function move(page: Page): Promise<number> {
  return Number((await page.getByTestId("move").textContent())?.replace(/,/g, ""));
}

describe("playground", () => {
  it("opens on the demo and steps forward and back with the arrow keys", async () => {
    const { page, errors } = await open();
    expect(await move(page)).toBe(0);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => move(page)).toBe(1);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => move(page)).toBe(2);
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => move(page)).toBe(1);
    await page.screenshot({ path: "/tmp/pg-1.png", fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  });
});
