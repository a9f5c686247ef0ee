/**
 * Takes the screenshots in docs/playground/ from the built playground in
 * Chromium (the browser tests' set-up): `npx tsx scripts/playground-screenshots.ts`.
 */
/// <reference lib="dom" />
import { join } from "node:path";
import { SITE_DIR, buildSite, launchChromium, serve } from "../test/web/site.js";

const OUT = join(import.meta.dirname, "../docs/playground");

await buildSite();
const site = await serve(SITE_DIR);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const settle = async (): Promise<void> => {
    await page.waitForFunction(() => !document.body.textContent?.includes("Running…"));
    await page.waitForTimeout(1500);
  };
  await page.goto(site.url + "#run=example%3Afork-cow&policies=&at=0");
  await page.getByTestId("position").waitFor();
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "forward one step" }).click();
  await page.getByRole("button", { name: "forward one move" }).click();
  await page.getByRole("button", { name: "PTE of 0x40000000" }).first().click();
  await settle();
  await page.screenshot({ path: join(OUT, "fork-cow.png") });

  await page.goto("about:blank");
  await page.goto(site.url + "#run=preset%3Abelady&policies=&at=14");
  await page.getByTestId("position").waitFor();
  await settle();
  // The top of the page: the two lanes side by side with their fault counts.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, "belady.png") });

  await page.goto("about:blank");
  await page.goto(site.url + "#run=example%3Aswapping&policies=clock%2Clru&at=700&quiz=1");
  await page.getByTestId("position").waitFor();
  await page.getByRole("button", { name: "Check" }).waitFor();
  await settle();
  await page.screenshot({ path: join(OUT, "quiz.png") });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(site.url + "#run=example%3Aswapping&policies=&at=1000");
  await phone.getByTestId("position").waitFor();
  await phone.waitForTimeout(1500);
  await phone.screenshot({ path: join(OUT, "phone.png") });
} finally {
  await browser.close();
  await site.close();
}
