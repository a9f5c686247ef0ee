/// <reference lib="dom" />
/**
 * The playground in a real browser (Debian's Chromium through
 * playwright-core): every capability the page offers, driven as a student
 * would, against the real kernel running in the page's Web Worker.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayTrace } from "../../src/sim/trace/replay.js";
import { detectFormat } from "../../src/sim/trace/trace-input.js";
import { systemConfig } from "../../src/sim/machine-settings.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { parseScenario } from "../../src/sim/scenario/parse.js";
import { ScenarioError } from "../../src/sim/scenario/types.js";
import { SITE_DIR, buildSite, launchChromium, serve, watchErrors } from "./site.js";
import { inspectCommand } from "./inspect-command.js";

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

interface Opened {
  page: Page;
  errors: string[];
}

async function open(hash = "", viewport = { width: 1280, height: 800 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  const errors = watchErrors(page);
  await page.goto(site.url + hash);
  await page.getByTestId("position").waitFor();
  return { page, errors };
}

async function move(page: Page): Promise<number> {
  return Number((await page.getByTestId("move").textContent())?.replace(/,/g, ""));
}

/** Picks `value` in the run menu and runs it. */
async function runFromMenu(page: Page, value: string): Promise<void> {
  await page.getByLabel("scenario", { exact: true }).selectOption(value);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect.poll(() => move(page)).toBe(0);
  await page.waitForFunction(() => !document.body.textContent?.includes("Running…"));
}

/** Drags the scrubber to `moves` (as a pointer would: the range input's value, then its input event). */
async function scrubTo(page: Page, moves: number): Promise<void> {
  await page.getByLabel("position in the run (moves)").evaluate((el, v) => {
    const input = el as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, moves);
}

/**
 * What the views show, as text: page tables, frames' detail, swap, counters, TLB, fault log. Everything
 * is drawn for the reading: a view or a log line scrolled out of sight is not (content-visibility), and
 * innerText leaves it out.
 */
async function shown(page: Page): Promise<string> {
  return page.locator(".views").evaluate((views: HTMLElement) => {
    const drawAll = document.createElement("style");
    drawAll.textContent = ".views, .views * { content-visibility: visible !important; }";
    document.head.append(drawAll);
    const text = views.innerText;
    drawAll.remove();
    return text;
  });
}

async function close({ page, errors }: Opened): Promise<void> {
  expect(errors).toEqual([]);
  await page.close();
}

describe("playground in Chromium", () => {
  it("bundles the real kernel with no module of Node's: every node: import has a browser twin", () => {
    const files = readdirSync(join(SITE_DIR, "assets")).filter((f) => f.endsWith(".js"));
    expect(files.some((f) => f.startsWith("playground.worker"))).toBe(true);
    for (const f of files) expect(readFileSync(join(SITE_DIR, "assets", f), "utf8")).not.toMatch(/(from|import\(|require\()\s*["'`]node:/);
  });

  it("opens on the demo at 1280×800 with nothing past the window's width; ← and → step one move, Shift+→ one scenario step, and clicks faster than the worker add up", async () => {
    const o = await open();
    const { page } = o;
    expect(await move(page)).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.locator("h1").click();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => move(page)).toBe(1);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => move(page)).toBe(2);
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => move(page)).toBe(1);
    expect(await page.getByTestId("step").textContent()).toBe("1");
    await page.keyboard.press("Shift+ArrowRight");
    await expect.poll(() => page.getByTestId("step").textContent()).toBe("2");
    // Clicks faster than the worker answers add up (all in one task: none of them sees the others' reply).
    const clickTimes = (name: string, n: number) => page.getByRole("button", { name }).evaluate((b, times) => {
      for (let i = 0; i < times; i++) (b as HTMLButtonElement).click();
    }, n);
    await clickTimes("forward one step", 3);
    await expect.poll(() => page.getByTestId("step").textContent()).toBe("5");
    const at = await move(page);
    await clickTimes("back one move", 4);
    await expect.poll(() => move(page)).toBe(at - 4);
    await close(o);
  });

  it("jumping back shows exactly the state a fresh run to that move shows (at a step: what inspect --json prints), and the link reproduces it", async () => {
    const o = await open("#run=example%3Aswapping&policies=&at=0");
    const { page } = o;
    await page.getByRole("button", { name: "to the end" }).click();
    await expect.poll(() => page.getByTestId("position").textContent()).toMatch(/at the end/);
    const total = await move(page);
    expect(total).toBeGreaterThan(1000);
    const target = Math.floor(total / 2) + 7;
    await scrubTo(page, target);
    await expect.poll(() => move(page)).toBe(target);
    const back = await shown(page);
    // The link follows what is shown (set after the page is drawn).
    await expect.poll(() => page.url()).toContain(`at=${target}`);
    const link = page.url();
    // Back one step lands on a step boundary: the start of this step when inside one, else the one before.
    await page.getByRole("button", { name: "back one step" }).click();
    await expect.poll(() => move(page)).toBeLessThan(target);
    const step = Number(await page.getByTestId("step").textContent());
    const shownJson = async () => JSON.parse((await page.getByTestId("inspect-json").textContent()) ?? "null") as { where: string } | null;
    await expect.poll(async () => (await shownJson())?.where).toBe(`after ${step} turns`);
    expect(await shownJson()).toEqual(await inspectCommand("examples/swapping.yaml", step));
    await scrubTo(page, target);
    await expect.poll(() => move(page)).toBe(target);
    const fresh = await open(link.slice(link.indexOf("#")));
    await expect.poll(() => move(fresh.page)).toBe(target);
    expect(await shown(fresh.page)).toBe(back);
    await close(fresh);
    await close(o);
  });

  it("shows the command line's message on the line it names, and the worker lives on", async () => {
    const o = await open("#run=example%3Afork-cow&policies=&at=0");
    const { page } = o;
    const editor = page.locator(".cm-content");
    const good = (await editor.innerText()).replace(/\u00a0/g, " ");
    const text = good.replace("      - exit: 0\n", "      - touchh: {at: heap}\n      - exit: 0\n");
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText(text);
    let expected = "";
    try {
      parseScenario(text, "examples/fork-cow.yaml");
    } catch (e) {
      expected = (e as ScenarioError).message;
    }
    expect(expected).toMatch(/^examples\/fork-cow\.yaml:\d+: processes\[\d\]\.steps\[\d\]: unknown key 'touchh'$/);
    await expect.poll(() => page.getByTestId("problem").textContent()).toBe(expected);
    const line = Number(/:(\d+):/.exec(expected)![1]);
    await expect.poll(() => page.locator(".cm-lint-marker-error").count()).toBe(1);
    const marked = await page.locator(".cm-gutter-lint .cm-gutterElement").filter({ has: page.locator(".cm-lint-marker-error") }).boundingBox();
    const lineBox = await page.locator(".cm-lineNumbers .cm-gutterElement", { hasText: new RegExp(`^${line}$`) }).boundingBox();
    expect(Math.abs(marked!.y - lineBox!.y)).toBeLessThan(2);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => page.getByTestId("problem").textContent()).toBe(expected);
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText(good);
    await expect.poll(() => page.getByTestId("problem").count()).toBe(0);
    await page.locator("h1").click();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => move(page)).toBe(1);
    await close(o);
  });

  it("links the views: a PTE selects its frame, whose detail lists the PTEs mapping it", async () => {
    const o = await open("#run=example%3Afork-cow&policies=&at=0");
    const { page } = o;
    await page.getByRole("button", { name: "forward one step" }).click();
    await page.getByRole("button", { name: "forward one step" }).click();
    await page.getByRole("button", { name: "forward one step" }).click();
    // Each process's triangle says whether its tables are shown (they follow its line), also once the next move
    // switches to the child and back.
    const triangles = () =>
      page.locator("details.process > summary").evaluateAll((ss) =>
        ss.map((s) => `${getComputedStyle(s, "::before").content.includes("▼")}/${s.parentElement!.nextElementSibling?.tagName === "DIV"}`),
      );
    expect(await triangles()).toEqual(["true/true", "false/false"]);
    await page.getByRole("button", { name: "forward one move" }).click();
    await expect.poll(triangles).toEqual(["false/false", "true/true"]);
    await page.getByRole("button", { name: "back one move" }).click();
    await expect.poll(triangles).toEqual(["true/true", "false/false"]);
    await page.getByRole("button", { name: "PTE of 0x40000000" }).first().click();
    const detail = page.getByTestId("frame-detail");
    await expect.poll(() => detail.textContent()).toMatch(/refcount 2/);
    expect(await detail.textContent()).toMatch(/parent \(pid 1\) 0x40000000.*child \(pid 2\) 0x40000000/);
    expect(await page.locator(".cell.lit").count()).toBe(1);
    for (const summary of await page.locator("details.process:not([open]) > summary").all()) await summary.click();
    await expect.poll(() => page.locator("tr.lit").count()).toBe(2);
    await close(o);
  });

  it("runs policies side by side in lockstep; the Belady preset gives 9 and 10 faults, and its LRU and OPT miss-ratio curves; so does the string typed, under FIFO with 3 and 4 frames, and its link", async () => {
    const o = await open();
    const { page } = o;
    await runFromMenu(page, "preset:belady");
    await page.getByRole("button", { name: "to the end" }).click();
    await expect.poll(() => page.getByTestId("lane-0-faults").textContent()).toBe("9");
    expect(await page.getByTestId("lane-1-faults").textContent()).toBe("10");
    expect(await page.locator(".lane").first().textContent()).toContain("fifo, 3 frames");
    await page.getByRole("button", { name: "Compute the LRU and OPT curves of this run" }).click();
    await expect.poll(() => page.getByTestId("mrc-summary").textContent()).toBe("12 page references, 5 distinct pages; at 4 frames LRU misses 8, OPT 6");
    // The same string typed, under FIFO with 3 and 4 frames: policies × frame counts make the lanes.
    await page.getByLabel("fifo", { exact: true }).check();
    await page.getByLabel(/^user frames/).fill("3, 4");
    await page.getByLabel(/^reference string/).fill("1,2,3,4,1,2,5,1,2,3,4,5");
    await page.getByRole("button", { name: "Run string" }).click();
    await expect.poll(() => page.locator(".lane-name").allTextContents()).toEqual(["fifo, 3 frames", "fifo, 4 frames"]);
    await page.getByRole("button", { name: "to the end" }).click();
    await expect.poll(() => page.getByTestId("lane-0-faults").textContent()).toBe("9");
    expect(await page.getByTestId("lane-1-faults").textContent()).toBe("10");
    await expect.poll(() => page.url()).toMatch(/run=refs%3A1%2C2%2C3.*frames=3%2C\+4.*at=12/);
    const link = page.url();
    const fresh = await open(link.slice(link.indexOf("#")));
    await expect.poll(() => fresh.page.getByTestId("lane-1-faults").textContent()).toBe("10");
    expect(await fresh.page.getByTestId("lane-0-faults").textContent()).toBe("9");
    await close(fresh);
    await page.getByLabel(/^reference string/).fill("1,x,3");
    await page.getByRole("button", { name: "Run string" }).click();
    await expect.poll(() => page.getByTestId("problem").textContent()).toBe("reference string: 'x' (reference 2) is not a page number (0 to 1048575)");
    await page.getByLabel(/^user frames/).fill("");
    await page.getByLabel("scenario", { exact: true }).selectOption("example:swapping");
    await page.getByLabel("lru", { exact: true }).check();
    await page.getByLabel("fifo", { exact: true }).check();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => page.locator(".lane").count()).toBe(2);
    await page.getByRole("button", { name: "to the end" }).click();
    const faults = async (lane: number) => Number((await page.getByTestId(`lane-${lane}-faults`).textContent())?.replace(/,/g, ""));
    await expect.poll(() => faults(0)).toBeGreaterThan(1000);
    expect(await faults(1)).toBeGreaterThan(1000);
    expect(await page.locator(".lane-name").allTextContents()).toEqual(["fifo", "lru"]);
    await expect.poll(() => page.url()).toContain("policies=fifo%2Clru");
    await close(o);
  });

  it("shows MGLRU's generations and the pressure lines, as vmm386 inspect --show lists,pressure reports them", async () => {
    const o = await open("#run=example%3Aswapping&policies=mglru&at=0");
    const { page } = o;
    for (let i = 0; i < 4; i++) await page.getByRole("button", { name: "forward one step" }).click();
    await expect.poll(() => page.getByTestId("step").textContent()).toBe("4");
    const lists = page.getByTestId("policy-lists");
    await expect.poll(() => lists.locator("h2").textContent()).toBe("mglru: generations");
    const json = JSON.parse((await page.getByTestId("inspect-json").textContent()) ?? "") as {
      lists: { lists: { seq: number; pages: number }[] };
      pressure: { memory: { some: { total: number } } };
    };
    expect(await page.locator("#inspect-title").textContent()).toContain("--policy mglru");
    expect(json).toEqual(await inspectCommand("examples/swapping.yaml", 4, "--policy", "mglru"));
    const rows = await lists.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelectorAll("td")[1]?.textContent]));
    expect(rows).toEqual(json.lists.lists.map((l) => [`seq ${l.seq}`, l.pages.toLocaleString("en-US")]));
    expect(json.lists.lists.reduce((n, l) => n + l.pages, 0)).toBeGreaterThan(0);
    expect(await page.locator('[data-counter="psi some.total"] td').textContent()).toBe(json.pressure.memory.some.total.toLocaleString("en-US"));
    await close(o);
  });

  it("quiz mode hides the next move until answered, then checks the answer", async () => {
    const o = await open("#run=example%3Astack-growth&policies=&at=0&quiz=1");
    const { page } = o;
    await page.getByText("Write to 0xbfff0000 by pid 1.").waitFor();
    expect(await move(page)).toBe(0);
    await page.getByLabel("fault", { exact: true }).check();
    await page.getByLabel("handler's decision").selectOption("stack");
    await page.getByRole("button", { name: "Check" }).click();
    await expect.poll(() => page.getByTestId("quiz-verdict").textContent()).toMatch(/^Right!/);
    expect(await move(page)).toBe(0);
    await page.getByRole("button", { name: "Next move" }).click();
    await expect.poll(() => move(page)).toBe(1);
    await page.getByText("Write to 0xbfff1000 by pid 1.").waitFor();
    await page.getByLabel("hit (no fault)").check();
    await page.getByRole("button", { name: "Check" }).click();
    await expect.poll(() => page.getByTestId("quiz-verdict").textContent()).toMatch(/^Not quite\./);
    await close(o);
  });

  it("is usable at phone width and every control is reachable by keyboard", async () => {
    const o = await open("", { width: 390, height: 844 });
    const { page } = o;
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      reached.add(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? ""));
    }
    for (const label of ["scenario", "forward one move", "play", "position in the run (moves)"]) expect(reached).toContain(label);
    await close(o);
  });
});

describe("traces in Chromium", () => {
  it("replays an uploaded gzip'd lackey trace in the worker with a progress bar, giving replay's fault count; a file that is no trace is refused in the command line's words", async () => {
    const o = await open();
    const { page } = o;
    const file = "test/fixtures/traces/busybox-awk-head.lackey.gz";
    const replay = await replayTrace(file, { system: systemConfig({}) });
    // The lengths the progress bar is drawn against, as it comes and goes.
    await page.evaluate(() => {
      const lengths: number[] = [];
      (window as unknown as { barLengths: number[] }).barLengths = lengths;
      new MutationObserver(() => {
        document.querySelectorAll("progress").forEach((bar) => bar.max > 1 && lengths.push(bar.max));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByLabel(/upload a trace/).setInputFiles(file);
    await expect.poll(() => page.locator(".machine h2").textContent()).toMatch(/^busybox-awk-head\.lackey\.gz \(lackey, [\d,]+ accesses\)$/);
    expect(Number((await page.locator("input[type=range]").getAttribute("max")) ?? 0)).toBe(replay.accesses);
    expect(await page.evaluate(() => (window as unknown as { barLengths: number[] }).barLengths)).toContain(replay.accesses);
    await page.getByRole("button", { name: "to the end" }).click();
    await expect.poll(() => page.locator('[data-counter="faults.total"] td').textContent()).toBe(replay.stats.faults.total.toLocaleString("en-US"));
    await page.getByRole("button", { name: "back one move" }).click();
    await expect.poll(() => move(page)).toBe(replay.accesses - 1);

    const dir = mkdtempSync(join(tmpdir(), "vmm386-web-"));
    const bad = join(dir, "notes.txt");
    writeFileSync(bad, "hello world\n");
    const expected = await detectFormat(bad).then(
      () => "",
      (e: Error) => e.message.replace(bad, "notes.txt"),
    );
    expect(expected).toMatch(/^notes\.txt:1: not a trace vmm386 knows/);
    await page.getByLabel(/upload a trace/).setInputFiles(bad);
    await expect.poll(() => page.getByTestId("problem").textContent()).toBe(expected);
    rmSync(dir, { recursive: true, force: true });
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => move(page)).toBe(replay.accesses - 2);
    await close(o);
  });
});
