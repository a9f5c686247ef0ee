/**
 * The built playground for browser tests: built once (vite's own build, as
 * `npm run build:web` does) into a folder of its own, served from an
 * ephemeral localhost port by a plain static server, and opened in
 * Debian's Chromium through playwright-core (no browser download: the
 * machine's /usr/bin/chromium, or CHROMIUM_PATH).
 */
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";

/** The repository: the folder above this file holding the playground's sources (from test/web, or dist-bench/test/web). */
const REPO = repoRoot(import.meta.dirname);

function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "src/web/vite.config.ts"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no src/web/vite.config.ts above ${from}`);
  }
}
/** Where the tests' build goes (not dist-web/: a developer's build is left alone). */
export const SITE_DIR = join(REPO, ".vmm386-tmp", "web");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** Builds the site into SITE_DIR (once per test file; a few seconds). */
export async function buildSite(): Promise<void> {
  rmSync(SITE_DIR, { recursive: true, force: true });
  mkdirSync(SITE_DIR, { recursive: true });
  await build({ configFile: join(REPO, "src/web/vite.config.ts"), logLevel: "error", build: { outDir: SITE_DIR, emptyOutDir: true } });
}

/** Serves `dir` on 127.0.0.1 at an ephemeral port. */
export async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split(/[?#]/)[0]));
    let file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = join(dir, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Debian's Chromium, headless, with nothing that reaches for the network (playwright gives it a fresh profile directory). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Console errors and uncaught exceptions of `page`, collected as they come. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
