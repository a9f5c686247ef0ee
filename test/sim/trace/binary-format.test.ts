import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { BinaryTraceWriter, readBinary } from "../../../src/sim/trace/binary-format.js";
import { TraceChunk } from "../../../src/sim/trace/trace-chunk.js";
import { ByteSink } from "../../../src/sim/trace/byte-sink.js";
import { traceOutputKind } from "../../../src/sim/trace/convert.js";
import { openOutput } from "../../../src/sim/output-file.js";
import { collect, expectSameAccesses, randomAccesses, tempDir, type Access } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

async function write(file: string, accesses: Access[], chunkSize = 1000): Promise<void> {
  const out = openOutput(file, { kind: traceOutputKind("binary"), force: true });
  const w = new BinaryTraceWriter(new ByteSink(out, file.endsWith(".gz")));
  const chunk = new TraceChunk(chunkSize);
  for (let i = 0; i < accesses.length; i += chunkSize) {
    const part = accesses.slice(i, i + chunkSize);
    part.forEach((a, j) => {
      chunk.addr[j] = a.addr;
      chunk.kind[j] = a.kind;
      chunk.size[j] = a.size;
    });
    chunk.length = part.length;
    await w.write(chunk);
  }
  await w.close();
  await out.commit();
}

describe("binary trace format", () => {
  it("round-trips address, kind and size of every access, across many blocks", async () => {
    const accesses = randomAccesses(200_000, 1);
    const file = path.join(tmp.dir, "a.bin");
    await write(file, accesses, 7777);
    expectSameAccesses(await collect(readBinary(file)), accesses);
    // 16-byte header, 6 bytes per access plus 8 per block of 65,536, 8-byte end marker.
    expect(fs.statSync(file).size).toBe(16 + 200_000 * 6 + 4 * 8 + 8);
  });

  it("reads a gzip-compressed binary trace", async () => {
    const accesses = randomAccesses(5000, 2);
    const file = path.join(tmp.dir, "b.bin.gz");
    await write(file, accesses);
    expect(fs.readFileSync(file)[0]).toBe(0x1f);
    expectSameAccesses(await collect(readBinary(file)), accesses);
  });

  it("round-trips full blocks followed by an odd-length last block, plain and gzip'd", async () => {
    const accesses = randomAccesses(2 * 65536 + 333, 6);
    for (const name of ["odd.bin", "odd.bin.gz"]) {
      const file = path.join(tmp.dir, name);
      await write(file, accesses, 50_000);
      expectSameAccesses(await collect(readBinary(file)), accesses);
    }
    // The odd block's meta is padded to a multiple of 4 bytes.
    expect(fs.statSync(path.join(tmp.dir, "odd.bin")).size).toBe(16 + accesses.length * 6 + 2 + 3 * 8 + 8);
  });

  it("an empty trace is a header and an end marker", async () => {
    const file = path.join(tmp.dir, "empty.bin");
    await write(file, []);
    expect(await collect(readBinary(file))).toEqual([]);
  });

  it("a truncated file is an error, never a shorter trace", async () => {
    const file = path.join(tmp.dir, "c.bin");
    await write(file, randomAccesses(3000, 3));
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    await expect(collect(readBinary(file))).rejects.toThrow(/c\.bin: truncated at byte \d+: missing end-of-trace marker/);
    fs.writeFileSync(file, bytes.subarray(0, 1000));
    await expect(collect(readBinary(file))).rejects.toThrow(/c\.bin: truncated block at byte 16/);
  });

  it("rejects a file without the magic, or of another version", async () => {
    const file = path.join(tmp.dir, "d.bin");
    fs.writeFileSync(file, "I  00001000,4\n");
    await expect(collect(readBinary(file))).rejects.toThrow(/not a vmm386 binary trace/);
    await write(file, randomAccesses(10, 4));
    const bytes = fs.readFileSync(file);
    bytes[8] = 9;
    fs.writeFileSync(file, bytes);
    await expect(collect(readBinary(file))).rejects.toThrow(/version 9, this vmm386 reads version 1/);
  });
});

describe("binary trace format, damaged records", () => {
  it("rejects a record whose size field is out of range", async () => {
    const file = path.join(tmp.dir, "e.bin");
    await write(file, randomAccesses(100, 5));
    const bytes = fs.readFileSync(file);
    bytes.writeUInt16LE(0xffff, 16 + 8 + 100 * 4 + 2 * 7); // record 7's meta
    fs.writeFileSync(file, bytes);
    await expect(collect(readBinary(file))).rejects.toThrow(/e\.bin: bad record 7 in the block at byte 16/);
  });
});
