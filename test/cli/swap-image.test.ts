import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixtureImage } from "../machine/sfdisk-helper.js";
import { cli, cliIn } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-swap-image-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("--swap-image", () => {
  it("swaps onto an image made by `disk create`, and leaves the image in place", () => {
    const image = path.join(dir, "swap.img");
    expect(cli("disk", "create", image, "--size", "8M", "--swap", "4M").code).toBe(0);
    const r = cli("run", "examples/swapping.yaml", "--swap-image", image, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as { vmstat: { pswpout: number; pswpin: number } };
    expect(o.vmstat.pswpout).toBeGreaterThan(0);
    expect(o.vmstat.pswpin).toBeGreaterThan(0);
    expect(fs.existsSync(image)).toBe(true);
  });

  it("the demo swaps onto logical partition 5 of an sfdisk image and leaves every other sector as it was", () => {
    const original = fixtureImage("logical");
    fs.writeFileSync(path.join(dir, "logical.img"), original);
    const r = cliIn(dir, "demo", "--swap-image", "logical.img", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as { vmstat: { pswpout: number; pswpin: number }; vmm386: { alloc_failed: number } };
    expect(o.vmm386.alloc_failed).toBe(0);
    expect(o.vmstat.pswpout).toBeGreaterThan(0);
    expect(o.vmstat.pswpin).toBeGreaterThan(0);
    const after = new Uint8Array(fs.readFileSync(path.join(dir, "logical.img")));
    const swapBytes = [2576 * 512, (2576 + 4096) * 512];
    expect(after.subarray(0, swapBytes[0])).toEqual(original.subarray(0, swapBytes[0]));
    expect(after.subarray(swapBytes[1])).toEqual(original.subarray(swapBytes[1]));
  });

  it("an image without a swap partition is refused in one line naming the image", () => {
    const plain = path.join(dir, "plain.img");
    fs.writeFileSync(plain, Buffer.alloc(1 << 20));
    const r = cli("run", "examples/swapping.yaml", "--swap-image", plain);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("plain.img");
  });

  it("a missing image is named", () => {
    const r = cli("run", "examples/swapping.yaml", "--swap-image", path.join(dir, "nope.img"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.img: no such file");
  });
});
