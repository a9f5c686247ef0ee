import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliIn, messageOf } from "./cli-helper.js";
import { settingsFromOptions, parseModuleOption } from "../../src/cli/options.js";
import { mergeSettings, systemConfig } from "../../src/sim/machine-settings.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-boot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, "initrd.img"), "initrd\n"); // 7 bytes
writeFileSync(join(dir, "fs.bin"), new Uint8Array(5000).fill(0xa5));
writeFileSync(join(dir, "big.bin"), new Uint8Array(64 * 1024));
writeFileSync(
  join(dir, "boot.yaml"),
  `name: boot
machine:
  ram: 8M
  cmdline: root=/dev/hda1 quiet
  modules:
    - file: initrd.img
      cmdline: initrd.img lang=en
    - file: fs.bin
      address: 0x400000
  framebuffer: {address: 0xFD000000, width: 640, height: 480, bpp: 32}
processes:
  - name: a
    steps: [{brk: +8K}, {touch: {at: heap, length: 8K, access: write}}]
`,
);
// 1584K of RAM leaves 48 KiB above the kernel image (which ends at 0x180000): initrd.img fits, big.bin does not.
writeFileSync(join(dir, "nofit.yaml"), "machine:\n  ram: 1584K\n  modules:\n    - file: initrd.img\n    - file: big.bin\nprocesses: [{name: a, steps: []}]\n");
writeFileSync(join(dir, "missing.yaml"), "machine:\n  modules:\n    - file: initrd.img\n    - file: nope.bin\nprocesses: [{name: a, steps: []}]\n");

interface BootJson {
  boot: {
    address: number;
    flags: number;
    flagNames: string[];
    memLower: number;
    memUpper: number;
    cmdline?: string;
    memoryMap: { base: number; length: number; type: number; typeName: string }[];
    modules: { start: number; end: number; string: string }[];
    framebuffer?: { addr: number; pitch: number; width: number; height: number; bpp: number; type: number; typeName: string; colorInfo: number[] };
  };
}

describe("boot information: scenario keys, --cmdline and --module, inspect --show boot", () => {
  it("a scenario with two modules and a command line boots, and inspect reads them back from simulated memory", async () => {
    const r = await cliIn(dir, "inspect", "boot.yaml", "--show", "boot");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\nflags       0x0000124d (memory, cmdline, mods, mem_map, boot_loader_name, framebuffer_info)\n");
    expect(r.stdout).toContain('\ncmdline     "root=/dev/hda1 quiet"\n');
    // The module without an address goes on the first page above the kernel image; the other where it asked.
    expect(r.stdout).toContain(
      '\nmodules     2\n  0  mod_start 0x00180000  mod_end 0x00180007  7 bytes  "initrd.img lang=en"\n  1  mod_start 0x00400000  mod_end 0x00401388  5000 bytes  "fs.bin"\n',
    );
    expect(r.stdout).toContain("\nmemory map  4 entries\n  0x00000000..0x0009fbff  1 available\n");
    expect(r.stdout).toContain("\nframebuffer 0xfd000000, 640x480, 32 bpp, pitch 2560, rgb (red 16/8, green 8/8, blue 0/8)\n");
  });

  it("--json gives the boot view's fields as numbers, absent fields left out", async () => {
    const r = await cliIn(dir, "inspect", "boot.yaml", "--show", "boot", "--json");
    expect(r.code).toBe(0);
    const { boot } = JSON.parse(r.stdout) as BootJson;
    expect(boot).toEqual({
      address: 0x9000,
      flags: 0x124d,
      flagNames: ["memory", "cmdline", "mods", "mem_map", "boot_loader_name", "framebuffer_info"],
      memLower: 639,
      memUpper: 7168,
      cmdline: "root=/dev/hda1 quiet",
      bootLoaderName: "vmm386",
      memoryMap: [
        { base: 0, length: 0x9fc00, type: 1, typeName: "available" },
        { base: 0x9fc00, length: 0x60400, type: 2, typeName: "reserved" },
        { base: 0x100000, length: 0x700000, type: 1, typeName: "available" },
        { base: 0xfffc0000, length: 0x40000, type: 2, typeName: "reserved" },
      ],
      modules: [
        { start: 0x180000, end: 0x180007, string: "initrd.img lang=en" },
        { start: 0x400000, end: 0x401388, string: "fs.bin" },
      ],
      framebuffer: { addr: 0xfd000000, pitch: 2560, width: 640, height: 480, bpp: 32, type: 1, typeName: "rgb", colorInfo: [16, 8, 8, 8, 0, 8] },
    });
  });

  it("--module and --cmdline replace the scenario's, and the boot view shows what the kernel was given", async () => {
    const r = await cliIn(dir, "inspect", "boot.yaml", "--show", "boot", "--json", "--module", "fs.bin@0x200000", "--module", "initrd.img", "--cmdline", "single");
    expect(r.code).toBe(0);
    const { boot } = JSON.parse(r.stdout) as BootJson;
    expect(boot.cmdline).toBe("single");
    expect(boot.modules).toEqual([
      { start: 0x200000, end: 0x201388, string: "fs.bin" },
      { start: 0x180000, end: 0x180007, string: "initrd.img" },
    ]);
    expect(boot.framebuffer?.addr).toBe(0xfd000000);
  });

  it("a machine without boot settings has no command line, modules or framebuffer flags", async () => {
    writeFileSync(join(dir, "plain.yaml"), "machine: {ram: 4M}\nprocesses: [{name: a, steps: []}]\n");
    const { boot } = JSON.parse((await cliIn(dir, "inspect", "plain.yaml", "--show", "boot", "--json")).stdout) as BootJson;
    expect(boot.flagNames).toEqual(["memory", "mem_map", "boot_loader_name"]);
    expect(boot).not.toHaveProperty("cmdline");
    expect(boot).not.toHaveProperty("modules");
    expect(boot).not.toHaveProperty("framebuffer");
    expect(boot.memUpper).toBe(3072);
  });

  it("a module that does not fit is one line naming file:line:key, exit 2", async () => {
    const r = await cliIn(dir, "run", "nofit.yaml");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'vmm386: nofit.yaml:5: machine.modules[1]: module "big.bin" (65536 bytes) does not fit in the free RAM from 0x00181000 (RAM ends at 0x0018c000, 1584 KiB)\n',
    );
  });

  it("a missing module file is one line naming file:line:key, exit 2", async () => {
    const r = await cliIn(dir, "run", "missing.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vmm386: missing.yaml:4: machine.modules[1]: module "nope.bin": no such file\n');
  });

  it("--module with a bad address names --module, whether the text or the machine refuses it", async () => {
    const text = await cliIn(dir, "run", "boot.yaml", "--module", "initrd.img@0x100000000");
    expect(text.code).toBe(2);
    expect(text.stderr).toBe("vmm386: --module: address 0x100000000 is outside 0..0xFFFFFFFF\n");
    const unaligned = await cliIn(dir, "run", "boot.yaml", "--module", "initrd.img@4194320");
    expect(unaligned.code).toBe(2);
    expect(unaligned.stderr).toBe('vmm386: --module: module "initrd.img": address 0x00400010 is not on a 4 KiB page boundary\n');
  });
});

describe("boot strings and paths the kernel or the shell could misread", () => {
  it("a NUL inside the scenario's command line is refused at file:line:key, not cut short", async () => {
    writeFileSync(join(dir, "nul.yaml"), 'machine:\n  cmdline: "a\\0b"\nprocesses: [{name: a, steps: []}]\n');
    const r = await cliIn(dir, "inspect", "nul.yaml", "--show", "boot");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: nul.yaml:2: machine.cmdline: command line contains a NUL at byte 1, which would cut it short there\n");
  });

  it("--module with a file whose name holds an @ loads that file", async () => {
    writeFileSync(join(dir, "we@ird.txt"), "abc");
    const r = await cliIn(dir, "inspect", "boot.yaml", "--show", "boot", "--json", "--module", "we@ird.txt");
    expect(r.stderr).toBe("");
    const { boot } = JSON.parse(r.stdout) as BootJson;
    expect(boot.modules).toEqual([{ start: 0x180000, end: 0x180003, string: "we@ird.txt" }]);
  });
});

describe("--module and --cmdline parsing", () => {
  it("FILE or FILE@ADDRESS, the address hex or decimal, split at the last @ only when an address follows it", () => {
    expect(parseModuleOption("initrd.img")).toEqual({ path: "initrd.img" });
    expect(parseModuleOption("a@b.bin@0x400000")).toEqual({ path: "a@b.bin", address: 0x400000 });
    expect(parseModuleOption("fs.bin@4194304")).toEqual({ path: "fs.bin", address: 0x400000 });
    expect(parseModuleOption("/tmp/we@ird.txt")).toEqual({ path: "/tmp/we@ird.txt" });
    expect(parseModuleOption("fs.bin@")).toEqual({ path: "fs.bin@" });
    expect(parseModuleOption("fs.bin@-4096")).toEqual({ path: "fs.bin@-4096" });
    expect(messageOf(() => parseModuleOption("fs.bin@0x100000000"))).toBe("--module: address 0x100000000 is outside 0..0xFFFFFFFF");
    expect(messageOf(() => parseModuleOption("@0x400000"))).toBe("--module: '@0x400000' names no file (FILE or FILE@ADDRESS)");
  });

  it("options replace the scenario's settings and keep their own places for messages; the others keep the scenario's", () => {
    const scenario = {
      cmdline: "quiet",
      modules: [{ path: "d/a.bin", cmdline: "a.bin" }],
      bootOrigins: { cmdline: "s.yaml:3: machine.cmdline", modules: ["s.yaml:5: machine.modules[0]"] },
    };
    const withModule = systemConfig(mergeSettings(scenario, settingsFromOptions({ module: ["b.bin@0x400000"] })));
    expect(withModule.modules).toEqual([{ path: "b.bin", address: 0x400000 }]);
    expect(withModule.cmdline).toBe("quiet");
    expect(withModule.bootOrigins).toEqual({ cmdline: "s.yaml:3: machine.cmdline", modules: ["--module"] });
    const withCmdline = systemConfig(mergeSettings(scenario, settingsFromOptions({ cmdline: "single" })));
    expect(withCmdline.bootOrigins).toEqual({ cmdline: "--cmdline", modules: ["s.yaml:5: machine.modules[0]"] });
  });
});
