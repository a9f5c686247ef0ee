import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cliIn } from "./cli-helper.js";
import { mapLines } from "../../src/report/inspect-views.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("vmm386 inspect", () => {
  it("after fork, both processes map the heap COW and the frame map shows the frames shared copy-on-write", async () => {
    const r = await cli("inspect", "examples/fork-cow.yaml", "--step", "3", "--show", "maps,frames", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      where: string;
      maps: Record<string, { start: number; end: number; perms: string; region: string; present: number; cow: number }[]>;
      frames: { sharedFrames: number; userFrames: number; map: string };
    };
    expect(out.where).toBe("after 3 turns");
    for (const pid of ["1", "2"]) {
      expect(out.maps[pid]).toEqual([{ start: 0x40000000, end: 0x40040000, perms: "rw-p", region: "[heap]", present: 64, swapped: 0, demand: 0, cow: 64 }]);
    }
    expect(out.frames.sharedFrames).toBe(64);
    expect(out.frames.userFrames).toBe(64);
    expect(out.frames.map.split("C").length - 1).toBe(64);
  });

  it("the frame map gives the kernel image, page directories, each process's pages and free frames their own symbols, with a legend", async () => {
    const r = await cli("inspect", "examples/fork-cow.yaml", "--step", "child:1", "--show", "pagemap,frames", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      processes: { pid: number; pageDirectory: number }[];
      pagemap: Record<string, { va: string; state: string; flags: string; pfn?: number }[]>;
      frames: { totalFrames: number; freeFrames: number; map: string; legend: { symbol: string; class: string; frames: number; pid?: number }[] };
    };
    const { map, legend } = out.frames;
    expect(map).toHaveLength(out.frames.totalFrames);
    // The default kernel image lies at 1 MiB..1.5 MiB: frames 0x100..0x17f.
    expect(map.slice(0x100, 0x180)).toBe("K".repeat(0x80));
    expect(map[0xff]).not.toBe("K");
    expect(map[0x180]).not.toBe("K");
    for (const p of out.processes) expect(map[p.pageDirectory >>> 12]).toBe("D");
    const childOwn = out.pagemap["2"].find((e) => e.state === "present" && !e.flags.includes("COW"));
    const stillShared = out.pagemap["2"].find((e) => e.flags.includes("COW"));
    expect(map[childOwn!.pfn!]).toBe("2");
    expect(map[stillShared!.pfn!]).toBe("C");
    expect(map[out.frames.totalFrames - 1]).toBe(".");
    expect(legend.find((e) => e.symbol === ".")?.frames).toBe(out.frames.freeFrames);
    expect(legend.find((e) => e.symbol === "2")).toMatchObject({ class: "user", pid: 2, frames: 32 });

    const text = (await cli("inspect", "examples/fork-cow.yaml", "--step", "child:1", "--show", "frames")).stdout;
    expect(text).toContain(`\n0x00100 ${"K".repeat(64)}\n*\n`);
    expect(text).toMatch(/\nlegend \(symbol, frames\):\n( {2}. +\d+ {2}.+\n)+$/);
    expect(text).toMatch(/\n {2}K +128 {2}kernel image/);
    expect(text).toMatch(/\n {2}2 +32 {2}user page of pid 2 \(child\)\n/);
  });

  it("--step NAME:K stops once that process has done K steps: the child's writes broke COW on half the heap", async () => {
    const out = JSON.parse((await cli("inspect", "examples/fork-cow.yaml", "--step", "child:1", "--show", "maps", "--json")).stdout) as {
      where: string;
      maps: Record<string, { cow: number }[]>;
    };
    expect(out.where).toMatch(/^after step 1 of child/);
    expect(out.maps["2"][0].cow).toBe(32);
  });

  it("pagemap names the swap slot of each swapped page, and the swap map lists it", async () => {
    const r = await cli("inspect", "examples/swapping.yaml", "--step", "3", "--show", "pagemap,swap", "--process", "writer-a", "--json");
    const out = JSON.parse(r.stdout) as {
      pagemap: Record<string, { va: string; state: string; slot?: number }[]>;
      swap: { usedSlots: number; slots: Record<string, string[]> };
    };
    const swapped = out.pagemap["1"].filter((e) => e.state === "swapped");
    expect(swapped.length).toBeGreaterThan(0);
    const first = swapped[0];
    expect(out.swap.slots[String(first.slot)]).toContain(`1:${first.va}`);
    expect(out.swap.usedSlots).toBeGreaterThanOrEqual(swapped.length);
  });

  it("--show refuses an empty list or an empty item in one line naming --show", async () => {
    const none = await cli("inspect", "examples/fork-cow.yaml", "--show", "");
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("vmm386: --show: no view given\n");
    const gap = await cli("inspect", "examples/fork-cow.yaml", "--show", "maps,,frames");
    expect(gap.code).toBe(2);
    expect(gap.stderr).toBe("vmm386: --show: 'maps,,frames' has an empty item\n");
  });

  it("groups contiguous pages of one region and rights into one maps line", () => {
    const e = (va: number, pte: number) => ({ va, pte, pteAddr: 0, state: "present" as const, frameOrSlot: pte >>> 12 });
    const lines = mapLines([e(0x40000000, 0x1007), e(0x40001000, 0x2007), e(0x40003000, 0x3005), e(0xbffff000, 0x4007)]);
    expect(lines.map((l) => [l.start, l.end, l.perms, l.region])).toEqual([
      [0x40000000, 0x40002000, "rw-p", "[heap]"],
      [0x40003000, 0x40004000, "r--p", "[heap]"],
      [0xbffff000, 0xc0000000, "rw-p", "[stack]"],
    ]);
  });
});

describe("vmm386 demo", () => {
  it("with no arguments forks, copies on write and swaps, then prints the table and ./vmm386-report.html", async () => {
    const r = await cliIn(dir, "demo");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("COW");
    expect(r.stdout).toContain(`report: ${join(dir, "vmm386-report.html")}`);
    const html = readFileSync(join(dir, "vmm386-report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|src="http/);
  });

  it("--json shows COW faults, swap traffic and every process exiting normally", async () => {
    const report = join(dir, "demo.html");
    const out = JSON.parse((await cli("demo", "--json", "--report", report)).stdout) as {
      faults: { cow: number; swapIn: number };
      vmstat: { pswpout: number };
      processes: { status: string; parent: number }[];
    };
    expect(out.faults.cow).toBeGreaterThan(0);
    expect(out.faults.swapIn).toBeGreaterThan(0);
    expect(out.vmstat.pswpout).toBeGreaterThan(0);
    expect(out.processes.length).toBeGreaterThanOrEqual(3);
    expect(out.processes.every((p) => p.status === "exited")).toBe(true);
    expect(existsSync(report)).toBe(true);
  });
});
