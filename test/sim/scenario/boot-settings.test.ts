import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { ScenarioError } from "../../../src/sim/scenario/types.js";
import { System, type MachineSettings } from "../../../src/sim/system.js";
import { BootInfoError } from "../../../src/machine/multiboot.js";
import { MachineConfigError } from "../../../src/machine/machine.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-boot-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "a.bin"), "abc");
writeFileSync(join(dir, "big.bin"), new Uint8Array(64 * 1024));

const PROCESSES = "processes: [{name: a, steps: []}]\n";

function machineOf(machineYaml: string, file = join(dir, "s.yaml")): MachineSettings {
  return parseScenario(`machine:\n${machineYaml}${PROCESSES}`, file).machine;
}

function errorOf(machineYaml: string): string {
  try {
    machineOf(machineYaml, "x.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

/** The machine error System.create throws for a scenario's machine (no swap). */
function bootErrorOf(machine: MachineSettings): Error {
  try {
    System.create({ ...machine, ramBytes: machine.ramBytes ?? 8 << 20, swapBytes: 0 }).close();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected System.create to throw");
}

describe("scenario machine: cmdline, modules, framebuffer", () => {
  it("module files are relative to the scenario's folder; a module's string defaults to the file as written", () => {
    const m = machineOf("  cmdline: root=/dev/hda1\n  modules:\n    - file: a.bin\n    - {file: sub/b.bin, address: 0x400000, cmdline: b arg}\n    - {file: /abs/c.bin, address: '4194304'}\n");
    expect(m.cmdline).toBe("root=/dev/hda1");
    expect(m.modules).toEqual([
      { path: join(dir, "a.bin"), address: undefined, cmdline: "a.bin" },
      { path: join(dir, "sub/b.bin"), address: 0x400000, cmdline: "b arg" },
      { path: "/abs/c.bin", address: 0x400000, cmdline: "/abs/c.bin" },
    ]);
    const file = join(dir, "s.yaml");
    expect(m.bootOrigins).toEqual({
      cmdline: `${file}:2: machine.cmdline`,
      modules: [`${file}:4: machine.modules[0]`, `${file}:5: machine.modules[1]`, `${file}:6: machine.modules[2]`],
    });
  });

  it("a framebuffer's pitch defaults to one whole line", () => {
    expect(machineOf("  framebuffer: {address: 0xFD000000, width: 640, height: 480, bpp: 24}\n").framebuffer).toEqual({
      addr: 0xfd000000, width: 640, height: 480, bpp: 24, pitch: 1920, type: "rgb",
    });
    expect(machineOf("  framebuffer: {address: 0xB0000000, width: 80, height: 25, bpp: 16, type: text}\n").framebuffer?.pitch).toBe(160);
  });

  it("schema and address problems name file:line:key", () => {
    expect(errorOf("  modules:\n    - file: a.bin\n      adress: 0x400000\n")).toBe("x.yaml:4: machine.modules[0]: unknown key 'adress'");
    expect(errorOf("  modules:\n    - address: 0x400000\n")).toBe("x.yaml:3: machine.modules[0]: missing key 'file'");
    expect(errorOf("  modules:\n    - {file: a.bin, address: 4M}\n")).toBe(
      'x.yaml:3: machine.modules[0].address: "4M" is not a physical address such as 0x400000 or 4194304',
    );
    expect(errorOf("  modules:\n    - {file: a.bin, address: '0x100000000'}\n")).toBe("x.yaml:3: machine.modules[0].address: address 0x100000000 is outside 0..0xFFFFFFFF");
    expect(errorOf("  framebuffer: {address: 0xFD000000, width: 640, height: 480, bpp: 12}\n")).toMatch(/^x\.yaml:2: machine\.framebuffer\.bpp: 12 is not one of 8, 15, 16, 24, 32$/);
    expect(errorOf("  cmdline: [a]\n")).toMatch(/^x\.yaml:2: machine\.cmdline: /);
  });
});

describe("System.create names where a refused boot setting was given", () => {
  it("a module that does not fit: its own place, the machine's message", () => {
    const e = bootErrorOf(machineOf("  ram: 1584K\n  modules:\n    - file: a.bin\n    - file: big.bin\n"));
    expect(e).toBeInstanceOf(BootInfoError);
    expect(e.message).toBe(
      `${join(dir, "s.yaml")}:5: machine.modules[1]: module "${join(dir, "big.bin")}" (65536 bytes) does not fit in the free RAM from 0x00181000 (RAM ends at 0x0018c000, 1584 KiB)`,
    );
  });

  it("a module without an address that collides with a later one's address is named, not the later one", () => {
    // In 1600K big.bin fits alone, at 0x180000..0x18ffff; with a.bin at 0x181000 it must start at 0x182000 and runs past RAM.
    const e = bootErrorOf(machineOf("  ram: 1600K\n  modules:\n    - file: big.bin\n    - {file: a.bin, address: 0x181000}\n"));
    expect(e.message).toMatch(/:4: machine\.modules\[0\]: module ".*big\.bin" \(65536 bytes\) does not fit in the free RAM from 0x00180000 \(RAM ends at 0x00190000/);
  });

  it("a framebuffer over RAM and a command line too long for the boot area name their keys", () => {
    const fb = bootErrorOf(machineOf("  ram: 8M\n  framebuffer: {address: 0x100000, width: 640, height: 480, bpp: 32}\n"));
    expect(fb).toBeInstanceOf(MachineConfigError);
    expect(fb.message).toMatch(/s\.yaml:3: machine\.framebuffer: framebuffer at 0x00100000: 0x00100000\.\.0x0022bfff overlaps RAM /);
    const cmdline = bootErrorOf(machineOf(`  modules: [{file: a.bin}]\n  cmdline: ${"x".repeat(5000)}\n`));
    expect(cmdline.message).toMatch(/s\.yaml:3: machine\.cmdline: command line of 5000 bytes is too long \(max 4095\)$/);
  });

  it("without places, the machine's message is left as it is", () => {
    const { bootOrigins: _, ...machine } = machineOf("  ram: 1584K\n  modules:\n    - file: big.bin\n");
    expect(bootErrorOf(machine).message).toMatch(/^module ".*big\.bin" \(65536 bytes\) does not fit /);
  });
});
