import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixtureImage } from "../machine/sfdisk-helper.js";
import { cli, cliIn } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-swap-image-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("--swap-image", () => {
  it("swaps onto an image made by `disk create`, and leaves the image in place", async () => {
    const image = path.join(dir, "swap.img");
    expect((await cli("disk", "create", image, "--size", "8M", "--swap", "4M")).code).toBe(0);
    const r = await cli("run", "examples/swapping.yaml", "--swap-image", image, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as { vmstat: { pswpout: number; pswpin: number } };
    expect(o.vmstat.pswpout).toBeGreaterThan(0);
    expect(o.vmstat.pswpin).toBeGreaterThan(0);
    expect(fs.existsSync(image)).toBe(true);
  });

  it("the demo swaps onto logical partition 5 of an sfdisk image and leaves every other sector as it was", async () => {
    const original = fixtureImage("logical");
    fs.writeFileSync(path.join(dir, "logical.img"), original);
    const r = await cliIn(dir, "demo", "--swap-image", "logical.img", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as { vmstat: { pswpout: number; pswpin: number }; vmm386: { alloc_failed: number } };
    expect(o.vmm386.alloc_failed).toBe(0);
    expect(o.vmstat.pswpout).toBeGreaterThan(0);
    expect(o.vmstat.pswpin).toBeGreaterThan(0);
    const after = new Uint8Array(fs.readFileSync(path.join(dir, "logical.img")));
    const swapBytes = [2576 * 512, (2576 + 4096) * 512];
    // Compared as Buffers: vitest's deep equality walks 4 MiB a byte at a time, for seconds.
    expect(Buffer.compare(after.subarray(0, swapBytes[0]), original.subarray(0, swapBytes[0]))).toBe(0);
    expect(Buffer.compare(after.subarray(swapBytes[1]), original.subarray(swapBytes[1]))).toBe(0);
  });

  it("an image without a swap partition is refused in one line naming the image", async () => {
    const plain = path.join(dir, "plain.img");
    fs.writeFileSync(plain, Buffer.alloc(1 << 20));
    const r = await cli("run", "examples/swapping.yaml", "--swap-image", plain);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("plain.img");
  });

  it("a missing image is named", async () => {
    const r = await cli("run", "examples/swapping.yaml", "--swap-image", path.join(dir, "nope.img"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.img: no such file");
  });
});
