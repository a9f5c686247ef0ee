/**
 * The library refuses a caller's mistakes with a SystemUsageError naming the
 * field, in the words the command line uses for the same value — never a
 * raw TypeError or RangeError, never a silent acceptance — and a closed
 * System refuses every call.
 */
import { describe, expect, it } from "vitest";
import { ACCESS } from "../../src/machine/i386.js";
import { USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { PROT, System, type SystemConfig } from "../../src/sim/system.js";
import { SystemUsageError } from "../../src/sim/system-checks.js";
import { settingsFromOptions } from "../../src/cli/options.js";
import { InputError } from "../../src/machine/input-error.js";

const MIB = 1 << 20;

/** The field and message of the SystemUsageError `f` throws. */
function refusal(f: () => unknown): { field: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof SystemUsageError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error("expected a SystemUsageError");
}

/** The message the command line gives for the same value (without its `--option: ` prefix). */
function cliMessage(options: Parameters<typeof settingsFromOptions>[0]): string {
  try {
    settingsFromOptions(options);
  } catch (e) {
    if (e instanceof InputError) return e.detail;
    throw e;
  }
  throw new Error("expected an InputError");
}

function create(config: unknown): System {
  return System.create(config as SystemConfig);
}

describe("SystemConfig", () => {
  it("names the field of a bad value, with the command line's words", () => {
    expect(refusal(() => create({ ramBytes: 4 * MIB, policy: "bogus" }))).toEqual({
      field: "policy",
      message: `policy: ${cliMessage({ policy: "bogus" })}`,
    });
    expect(refusal(() => create({ ramBytes: 4 * MIB, cpu: "z80" })).message).toBe(`cpu: ${cliMessage({ cpu: "z80" })}`);
    expect(refusal(() => create({ ramBytes: 4 * MIB, userFrames: 0 })).message).toBe(`userFrames: ${cliMessage({ userFrames: "0" })}`);
    expect(refusal(() => create({ ramBytes: 4 * MIB, userFrames: -1 })).message).toBe("userFrames: -1 is out of range (1 to 1048576)");
    expect(refusal(() => create({ ramBytes: 4 * MIB, userFrames: NaN })).message).toBe("userFrames: NaN (not a number) is not a whole number");
    expect(refusal(() => create({ ramBytes: 4 * MIB, seed: 2 ** 32 })).message).toBe(`seed: ${cliMessage({ seed: String(2 ** 32) })}`);
    expect(refusal(() => create({ ramBytes: 4 * MIB, swapBytes: 1000 })).message).toBe(`swapBytes: ${cliMessage({ swap: "1000" })}`);
    expect(refusal(() => create({ ramBytes: 4 * MIB, pidMax: 1 })).message).toBe("pidMax: 1 is out of range (2 to 4194304)");
    expect(refusal(() => create({ ramBytes: 4 * MIB, pidMax: "many" })).message).toBe('pidMax: "many" is not a whole number');
  });

  it("refuses a TLB of a billion entries at once, as --tlb does", () => {
    const started = Date.now();
    expect(refusal(() => create({ ramBytes: 4 * MIB, tlb: { entries: 1e9, ways: 4 } }))).toEqual({
      field: "tlb",
      message: `tlb: ${cliMessage({ tlb: "1000000000x4" })}`,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("null, a missing RAM size, a negative tracked-RAM cap, OPT without its future", () => {
    expect(refusal(() => create(null))).toEqual({ field: "config", message: "config: null is not a SystemConfig object" });
    expect(refusal(() => create({})).field).toBe("ramBytes");
    expect(refusal(() => create({ ramBytes: 4 * MIB, maxTrackedRamBytes: -1 }))).toEqual({
      field: "maxTrackedRamBytes",
      message: "maxTrackedRamBytes: -1 tracks no frame (at least 4096 bytes)",
    });
    expect(refusal(() => create({ ramBytes: 4 * MIB, policy: "opt" })).field).toBe("policy");
  });
});

describe("System calls", () => {
  const system = (): { s: System; pid: number } => {
    const s = System.create({ ramBytes: 4 * MIB, swapBytes: 0 });
    return { s, pid: s.spawn() as number };
  };

  it("a negative length, an access of no bytes, an address outside 32 bits", () => {
    const { s, pid } = system();
    s.brk(pid, USER_HEAP_BASE + 8192);
    expect(refusal(() => s.readBytes(pid, USER_HEAP_BASE, -1))).toEqual({ field: "readBytes: len", message: "readBytes: len: -1 is not a length (a whole number, at least 0)" });
    // Size 0 would touch the byte before the address.
    expect(refusal(() => s.access(pid, USER_HEAP_BASE, 0, ACCESS.USER_READ)).field).toBe("access: size");
    expect(s.stats().references).toBe(0);
    expect(refusal(() => s.write32(pid, -4, 1)).field).toBe("write32: va");
    expect(refusal(() => s.read8(pid, 2 ** 32)).field).toBe("read8: va");
    expect(s.readBytes(pid, USER_HEAP_BASE, 0)).toEqual(new Uint8Array(0));
    s.close();
  });

  it("mmap: PROT_NONE and an address off a page boundary are refused; read-only stays unwritable", () => {
    const { s, pid } = system();
    expect(refusal(() => s.mmap(pid, USER_SHARED_BASE, 4096, 0)).message).toMatch(/^mmap: prot: 0: PROT_NONE cannot be expressed/);
    expect(refusal(() => s.mmap(pid, USER_SHARED_BASE + 16, 4096)).message).toBe("mmap: va: 0x80000010 is not on a page boundary (a multiple of 4K)");
    expect(refusal(() => s.munmap(pid, USER_SHARED_BASE + 16, 4096)).field).toBe("munmap: va");
    expect(s.mmap(pid, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
    expect(s.read32(pid, USER_SHARED_BASE)).toBe(0);
    expect(s.write32(pid, USER_SHARED_BASE, 1)).toBe(false); // killed: a write to a read-only page
    s.close();
  });

  it("a closed System refuses every call, naming it, and marks no swap slot bad", () => {
    const s = System.create({ ramBytes: 4 * MIB, swapBytes: MIB, userFrames: 4 });
    const pid = s.spawn() as number;
    s.brk(pid, USER_HEAP_BASE + 64 * 4096);
    s.close();
    const calls: [string, () => unknown][] = [
      ["spawn", () => s.spawn()],
      ["fork", () => s.fork(pid)],
      ["write32", () => s.write32(pid, USER_HEAP_BASE, 1)],
      ["read32", () => s.read32(pid, USER_HEAP_BASE)],
      ["access", () => s.access(pid, USER_HEAP_BASE, 4, ACCESS.USER_WRITE)],
      ["accessPage", () => s.accessPage(pid, USER_HEAP_BASE, ACCESS.USER_WRITE)],
      ["brk", () => s.brk(pid, USER_HEAP_BASE)],
      ["mmap", () => s.mmap(pid, USER_SHARED_BASE, 4096)],
      ["copyOut", () => s.copyOut(pid, USER_STACK_TOP - 8, new Uint8Array(4))],
      ["tick", () => s.tick()],
      ["stats", () => s.stats()],
      ["exit", () => s.exit(pid)],
    ];
    for (const [name, call] of calls) expect(refusal(call).message).toBe(`${name}: the System is closed (close() was called)`);
    expect(s.isClosed).toBe(true);
    s.close(); // still idempotent
    expect(s.vmm.swap?.badSlots).toBe(0);
  });
});
