import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureImage } from "../machine/sfdisk-helper.js";
import { cliIn, type CliRun } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-cli-disk-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `vmm386 ...args` in the test's folder. */
function vmm386(...args: string[]): Promise<CliRun> {
  return cliIn(dir, ...args);
}

describe("vmm386 disk", () => {
  it("creates an image with a swap partition and shows it back as JSON", async () => {
    const made = await vmm386("disk", "create", "a.img", "--size", "64M", "--swap", "16M", "--type", "e5");
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/created a\.img: 64M sparse image \(131072 sectors\)/);
    expect(made.stdout).toMatch(/partition 1: type e5 \(EYN-OS swap\), LBA 2048\.\.34815, 16M = 4096 swap slots/);
    const shown = await vmm386("disk", "show", "a.img", "--json");
    expect(shown.code).toBe(0);
    const json = JSON.parse(shown.stdout) as { sectors: number; partitions: { type: string; firstLba: number }[]; swap: unknown };
    expect(json.sectors).toBe(131072);
    expect(json.partitions).toMatchObject([{ type: "e5", firstLba: 2048, sectorCount: 32768 }]);
    expect(json.swap).toEqual({ slot: 1, firstLba: 2048, slotCount: 4096 });
  });

  it("shows the logical partitions of an sfdisk image, numbered 5 and 6, and finds the swap in 5", async () => {
    fs.writeFileSync(path.join(dir, "logical.img"), fixtureImage("logical"));
    const shown = await vmm386("disk", "show", "logical.img");
    expect(shown.code).toBe(0);
    expect(shown.stdout.split("\n").slice(1)).toEqual([
      "slot  boot  start  end   sectors  size   type",
      "1           2048   2559  512      256K   83 Linux",
      "2           2560   8191  5632     2816K  05 Extended",
      "5           2576   6671  4096     2M     82 Linux swap",
      "6           6688   8191  1504     752K   83 Linux",
      "swap: partition 5, 512 slots of 4 KiB from LBA 2576",
      "",
    ]);
    const json = JSON.parse((await vmm386("disk", "show", "logical.img", "--json")).stdout) as { partitions: { slot: number }[]; swap: unknown };
    expect(json.partitions.map((p) => p.slot)).toEqual([1, 2, 5, 6]);
    expect(json.swap).toEqual({ slot: 5, firstLba: 2576, slotCount: 512 });
  });

  it("rejects bad sizes and bad images with one line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["disk", "create", "b.img", "--size", "16M", "--swap", "32M"], /^vmm386: --swap: swap 32M does not fit a 16M disk/],
      [["disk", "create", "b.img", "--size", "16M", "--swap", "6K"], /^vmm386: --swap: .*not a multiple of 4 KiB/],
      [["disk", "create", "b.img", "--size", "0", "--swap", "4K"], /^vmm386: --size: disk size must be more than zero/],
      [["disk", "create", "b.img", "--size", "lots", "--swap", "4K"], /^vmm386: --size: "lots" is not a size/],
    ];
    fs.writeFileSync(path.join(dir, "odd.img"), new Uint8Array(1000));
    cases.push([["disk", "show", "odd.img"], /^vmm386: odd\.img: image size 1000 bytes is not a multiple of 512/]);
    fs.writeFileSync(path.join(dir, "blank.img"), new Uint8Array(4096));
    cases.push([["disk", "show", "blank.img"], /^vmm386: blank\.img: no MBR signature 0x55AA at offset 510/]);
    const looping = fixtureImage("logical");
    looping.set([0, 0, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0xe1, 0x05, 0, 0], 6687 * 512 + 446 + 16);
    fs.writeFileSync(path.join(dir, "loop.img"), looping);
    cases.push([["disk", "show", "loop.img"], /^vmm386: loop\.img: EBR at LBA 6687 links back to the EBR at LBA 2560; the EBR chain loops$/m]);
    for (const [args, message] of cases) {
      const r = await vmm386(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(dir, "b.img"))).toBe(false);
  });
});
