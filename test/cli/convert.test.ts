import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-convert-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HEAD = "test/fixtures/traces/busybox-awk-head.lackey.gz";

describe("vmm386 convert to libCacheSim's formats", () => {
  it("says the pages are the replay's, and --raw-pages writes the trace's own", async () => {
    const mapped = join(dir, "h.txt");
    const r = await cli("convert", HEAD, mapped);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${HEAD} (lackey, 20000 accesses) -> ${mapped} (txt, 20000 page references, pages as the replay maps them)\n`);
    expect(readFileSync(mapped, "latin1").split("\n")[0]).toBe(String(0x00400000 >>> 12)); // busybox's 0x08049000 at USER_CODE_BASE
    const raw = join(dir, "raw.txt");
    expect((await cli("convert", HEAD, raw, "--raw-pages")).code).toBe(0);
    expect(readFileSync(raw, "latin1").split("\n")[0]).toBe(String(0x08049000 >>> 12));
  });

  it("writes to - through the invocation's standard output, the summary on its standard error", async () => {
    const file = join(dir, "same.refs");
    expect((await cli("convert", HEAD, file)).code).toBe(0);
    const r = await cli("convert", HEAD, "-", "--to", "refs");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(file, "latin1"));
    expect(r.stderr).toBe(`${HEAD} (lackey, 20000 accesses) -> - (refs, 20000 page references)\n`);
  });

  it("refuses --raw-pages for vmm386's own formats, in one line", async () => {
    const r = await cli("convert", HEAD, join(dir, "x.bin"), "--raw-pages");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: --raw-pages: only applies to oracleGeneral, csv, txt, u64 outputs\n");
  });
});
