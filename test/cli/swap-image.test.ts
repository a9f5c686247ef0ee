import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cli } from "./cli-helper.js";

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
