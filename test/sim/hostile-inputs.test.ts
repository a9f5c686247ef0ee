/**
 * Tiny inputs that asked for the host's memory, time or patience — a module
 * that is /dev/zero or a FIFO, a copyOut of gigabytes, a comment line of a
 * gigabyte, a scenario of 10^14 accesses, a FIFO where a file belongs — and
 * damaged or odd files that were misread. Each is refused (or handled) in
 * one line that names the problem and where, using bounded time and memory.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { BootInfoError } from "../../src/machine/multiboot.js";
import { DiskFormatError } from "../../src/machine/block-device.js";
import { FileBlockDevice } from "../../src/machine/file-block-device.js";
import { PARTITION_TYPE, buildPartitionTable, writePartitionTable } from "../../src/machine/mbr.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { System } from "../../src/sim/system.js";
import { loadScenarioFile, parseScenario } from "../../src/sim/scenario/loader.js";
import { ScenarioRunner, runScenario } from "../../src/sim/scenario/runner.js";
import { ScenarioError } from "../../src/sim/scenario/types.js";
import { MAX_ACCESSES, checkScenarioWork, describeWork } from "../../src/sim/scenario/work-estimate.js";
import { readTrace } from "../../src/sim/trace/read-trace.js";
import { detectFormat } from "../../src/sim/trace/trace-input.js";
import { BinaryTraceWriter } from "../../src/sim/trace/binary-format.js";
import { ByteSink } from "../../src/sim/trace/byte-sink.js";
import { traceOutputKind } from "../../src/sim/trace/convert.js";
import { ChunkSpillWriter } from "../../src/sim/trace/chunk-spill.js";
import { TraceChunk } from "../../src/sim/trace/trace-chunk.js";
import { OutputFileError, openOutput } from "../../src/sim/output-file.js";
import { collect, tempDir, writeFile } from "./trace/helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const MIB = 1 << 20;

function fifo(name: string): string {
  const p = path.join(tmp.dir, name);
  expect(spawnSync("mkfifo", [p]).status).toBe(0);
  return p;
}

/** The ScenarioError `f` throws. */
function scenarioError(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("multiboot modules", () => {
  it("/dev/zero, a FIFO, a directory: refused before anything is read", () => {
    const pipe = fifo("module.fifo");
    const boot = (file: string): void => System.create({ ramBytes: 4 * MIB, swapBytes: 0, modules: [{ path: file }] }).close();
    expect(() => boot("/dev/zero")).toThrow(new BootInfoError('module "/dev/zero": is a character device, not a regular file'));
    expect(() => boot(pipe)).toThrow(new BootInfoError(`module "${pipe}": is a pipe (FIFO), not a regular file`));
    expect(() => boot(tmp.dir)).toThrow(new BootInfoError(`module "${tmp.dir}": is a directory, not a file`));
  });

  it("a file larger than RAM: refused by its size, unread", () => {
    const big = path.join(tmp.dir, "big.bin");
    fs.closeSync(fs.openSync(big, "w"));
    fs.truncateSync(big, 64 * MIB); // sparse: costs nothing to make
    expect(() => System.create({ ramBytes: 4 * MIB, swapBytes: 0, modules: [{ path: big }] })).toThrow(`module "${big}": ${64 * MIB} bytes do not fit in 4096 KiB of RAM`);
  });

  it("a scenario's module names its place", () => {
    const scenario = parseScenario("machine:\n  ram: 4M\n  modules: [{file: /dev/zero}]\nprocesses: [{name: a, steps: [{exit: 0}]}]\n", "m.yaml");
    const config = { ramBytes: 4 * MIB, swapBytes: 0, modules: scenario.machine.modules, bootOrigins: scenario.machine.bootOrigins };
    expect(() => System.create(config)).toThrow('m.yaml:3: machine.modules[0]: module "/dev/zero": is a character device, not a regular file');
  });
});

describe("copyOut", () => {
  const steps = (copyOut: string): string => `processes:\n  - name: a\n    steps:\n      - brk: +256K\n      - copyOut: ${copyOut}\n`;

  it("a 1G copyOut costs a few bytes to load: its bytes are made as they are copied", () => {
    const before = process.memoryUsage().arrayBuffers;
    const scenario = parseScenario(steps("{at: heap, length: 1G}"), "c.yaml");
    const step = scenario.processes[0].steps[1];
    expect(step).toMatchObject({ kind: "copyOut", length: 1 << 30, text: null });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * MIB);
  });

  it("refuses one longer than user space (3G at 0), naming the key", () => {
    expect(scenarioError(() => parseScenario(steps("{at: 0, length: 3G}"), "c.yaml")).message).toBe(
      "c.yaml:5: processes[0].steps[1].copyOut.length: 3221225472 bytes is more than user space holds (3217031168 bytes)",
    );
  });

  it("copies the pattern byte i & 0xFF, chunk after chunk, and stops at the first refused page", () => {
    const system = System.create({ ramBytes: 8 * MIB, swapBytes: 0 });
    try {
      const r = runScenario(system, parseScenario(steps("{at: heap+100, length: 200K}") + "      - copyOut: {at: heap+208K, length: 1G}\n", "c.yaml"));
      expect(r.notes).toEqual(["a (pid 1), c.yaml:6 processes[0].steps[2]: copyOut to 0x40034000 refused"]);
      const bytes = system.copyIn(1, USER_HEAP_BASE + 100, 200 * 1024) as Uint8Array;
      expect(bytes.every((b, i) => b === (i & 0xff))).toBe(true);
      // The refused one wrote the 48K below the break, up to its last byte, and was refused at the break.
      expect(system.copyIn(1, USER_HEAP_BASE + 256 * 1024 - 2, 2)).toEqual(Uint8Array.of(0xfe, 0xff));
    } finally {
      system.close();
    }
  });
});

describe("a very long line in a text trace", () => {
  it("is refused past 1 MiB, in bounded time and memory, naming its line", async () => {
    const line = "==1== " + "x".repeat(4 * MIB) + "\n";
    const plain = writeFile(tmp.dir, "long.lackey", "I  00001000,4\n" + line + "I  00002000,4\n");
    const gz = writeFile(tmp.dir, "long.lackey.gz", "I  00001000,4\n" + line);
    for (const file of [plain, gz]) {
      await expect(collect(readTrace(file, "lackey"))).rejects.toThrow(`${file}:2: line longer than 1 MiB (the longest a text trace may have)`);
    }
  });

  it("a long comment under the limit is skipped", async () => {
    const file = writeFile(tmp.dir, "comment.lackey", "==1== " + "x".repeat(MIB - 100) + "\n S 00003000,4\n");
    expect(await collect(readTrace(file, "lackey"))).toEqual([{ addr: 0x3000, kind: 2, size: 4 }]);
  });
});

describe("work estimate", () => {
  const huge =
    "processes:\n  - name: a\n    steps:\n      - brk: +1M\n      - repeat:\n          times: 10000\n          steps:\n" +
    "            - repeat:\n                times: 10\n                steps:\n" +
    "                  - touch: {at: heap, length: 1M, pattern: loop, loops: 100000, stride: 64}\n";

  it("a scenario of about 10^14 accesses is refused before it runs, unless forced", () => {
    const scenario = parseScenario(huge, "huge.yaml");
    const e = scenarioError(() => checkScenarioWork(scenario, undefined, false));
    expect(e.message).toBe(
      `huge.yaml: about 1.6·10^14 accesses, more than the 10 billion that vmm386 runs without being told to; pass --force to run it anyway, or shrink its repeat, loops and count`,
    );
    const forced = checkScenarioWork(scenario, undefined, true);
    expect(forced.accesses).toBeGreaterThan(MAX_ACCESSES);
    expect(describeWork(forced)).toBe("about 1.6·10^14 accesses");
    expect(describeWork(checkScenarioWork(parseScenario(huge.replace("times: 10000\n", "times: 1\n").replace("loops: 100000", "loops: 1"), "h.yaml"), "opt", false))).toBe(
      "about 163,840 accesses in each of up to 7 runs (policy opt records its future first)",
    );
  });

  it("nested repeats of 10^9 steps are refused before they run, unless forced; one repeat of 10^9 is not", () => {
    const yields = (times: string): string => `processes:\n  - name: a\n    steps:\n${times}`;
    const nested = parseScenario(yields("      - repeat: {times: 1000000000, steps: [{repeat: {times: 1000000000, steps: [{yield: null}]}}]}\n"), "n.yaml");
    expect(scenarioError(() => checkScenarioWork(nested, undefined, false)).message).toBe(
      "n.yaml: about 1.0·10^18 steps and 0 accesses, more than the 1 billion steps that vmm386 runs without being told to; pass --force to run it anyway, or shrink its repeat counts and forks",
    );
    // Refused on its steps, a scenario still says how many accesses it would make: here 6.4·10^20.
    const touching = parseScenario(
      yields("      - brk: +4K\n      - repeat: {times: 1000000000, steps: [{repeat: {times: 1000000000, steps: [{touch: {at: heap, length: 4K, pattern: loop, loops: 10, stride: 64}}]}}]}\n"),
      "t.yaml",
    );
    expect(scenarioError(() => checkScenarioWork(touching, undefined, false)).message).toMatch(/^t\.yaml: about 1\.0·10\^18 steps and 6\.4·10\^20 accesses, more than the 1 billion steps /);
    expect(checkScenarioWork(nested, undefined, true).steps).toBe(1e18);
    expect(checkScenarioWork(parseScenario(yields("      - repeat: {times: 1000000000, steps: [{yield: null}]}\n"), "o.yaml"), undefined, false).steps).toBe(1e9);
  });

  it("a long run reports progress within a few million accesses, not once per sample", () => {
    const scenario = parseScenario(huge.replace("times: 10000\n", "times: 1\n").replace("loops: 100000", "loops: 1000"), "p.yaml");
    const system = System.create({ ramBytes: 4 * MIB, swapBytes: 0 });
    const seen: number[] = [];
    const runner = new ScenarioRunner(system, scenario, {
      onProgress: (done) => {
        seen.push(done);
        if (seen.length === 2) throw new Error("enough");
      },
    });
    expect(runner.plannedAccesses).toBe(163_840_000);
    expect(() => runner.runToEnd()).toThrow("enough");
    system.close();
    expect(seen[0]).toBeLessThanOrEqual(1 << 22);
  });
});

describe("where a regular file belongs, a FIFO is refused at once", () => {
  it("a disk image and a scenario", () => {
    const pipe = fifo("image.fifo");
    expect(() => FileBlockDevice.open(pipe, { readOnly: true })).toThrow(new DiskFormatError(`${pipe}: is a pipe (FIFO), not a regular file; a disk image is a regular file`));
    expect(() => loadScenarioFile(pipe)).toThrow(new ScenarioError(pipe, "is a pipe (FIFO), not a regular file"));
  });
});

describe("trace format detection", () => {
  it("sees a reference string past 4 KiB (or more) of leading comments, plain or gzip'd", async () => {
    const comments = "# a long preamble, as some tools write\n".repeat(300); // 11 KiB
    expect(await detectFormat(writeFile(tmp.dir, "c.refs", comments + "12\n13\n"))).toBe("refs");
    expect(await detectFormat(writeFile(tmp.dir, "c.refs.gz", comments.repeat(20) + "12\n"))).toBe("refs");
  });

  it("gives up after 1 MiB of comments, saying so", async () => {
    const file = writeFile(tmp.dir, "only-comments.txt", "# nothing but this\n".repeat(60_000));
    await expect(detectFormat(file)).rejects.toThrow(`${file}:1: only blank and comment lines in its first 1 MiB, not a trace vmm386 knows`);
  });
});

describe("a damaged binary trace", () => {
  async function binary(name: string): Promise<string> {
    const file = path.join(tmp.dir, name);
    const out = openOutput(file, { kind: traceOutputKind("binary") });
    const w = new BinaryTraceWriter(new ByteSink(out, false));
    const chunk = new TraceChunk(3);
    chunk.addr.set([0x1000, 0x2000, 0x3000]);
    chunk.size.set([4, 4, 4]);
    chunk.length = 3;
    await w.write(chunk);
    await w.close();
    await out.commit();
    return file;
  }

  it("bytes after the end marker are refused, naming their offset", async () => {
    const file = await binary("trailing.bin");
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, "junk");
    await expect(collect(readTrace(file))).rejects.toThrow(`${file}: bytes after the end marker, from byte ${size}`);
    const gz = path.join(tmp.dir, "trailing.bin.gz");
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file)));
    await expect(collect(readTrace(gz))).rejects.toThrow(`bytes after the end marker, from byte ${size}`);
  });

  it("a reserved word that is not zero is refused, naming its offset", async () => {
    for (const offset of [12, 16 + 4]) {
      const file = await binary(`reserved${offset}.bin`);
      const bytes = fs.readFileSync(file);
      bytes[offset] = 1;
      fs.writeFileSync(file, bytes);
      await expect(collect(readTrace(file))).rejects.toThrow(`${file}: reserved word at byte ${offset} is not zero`);
    }
  });
});

describe("messages in the user's terms", () => {
  it(".inf, .nan and 1e400 in YAML are not 'null'", () => {
    for (const [value, shown] of [
      [".inf", "infinity"],
      ["-.inf", "-infinity"],
      [".nan", "NaN (not a number)"],
      ["1e400", "infinity"],
    ]) {
      const e = scenarioError(() => parseScenario(`machine:\n  ram: ${value}\nprocesses: [{name: a, steps: [{exit: 0}]}]\n`, "n.yaml"));
      expect(e.message).toMatch(new RegExp(`^n\\.yaml:2: machine\\.ram: ${shown.replace(/[().]/g, "\\$&")} is not `));
    }
  });

  it("a swap partition of 7 sectors is too small for a slot, not missing", () => {
    const disk = new MemoryBlockDevice(4096, "tiny.img");
    writePartitionTable(disk, buildPartitionTable(1, [{ type: PARTITION_TYPE.LINUX_SWAP, firstLba: 2048, sectorCount: 7 }], 4096, "tiny.img"));
    expect(() => System.create({ ramBytes: 4 * MIB, swapDevice: disk })).toThrow(
      "tiny.img: swap partition 1 (type 0x82) holds 7 sectors, less than one 4 KiB swap slot (8 sectors)",
    );
  });

  it("the replay's temporary copy names its path when the host refuses it", () => {
    const where = path.join(tmp.dir, "no-such-dir", "spill.bin");
    expect(() => new ChunkSpillWriter(where)).toThrow(new OutputFileError(where, "no such file (the replay's temporary copy of the trace; set TMPDIR to a folder with room)"));
  });
});
