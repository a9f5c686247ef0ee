import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { ChunkSpillWriter, readChunkSpill, readSpill } from "../../../src/sim/trace/chunk-spill.js";
import { TraceChunk, DEFAULT_CHUNK_CAPACITY } from "../../../src/sim/trace/trace-chunk.js";
import { expectSameAccesses, randomAccesses, tempDir, type Access } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Spills the accesses in chunks of the given sizes (cycled), keeping up to `memoryBytes` in memory if given. */
function spill(file: string, accesses: Access[], sizes: number[], memoryBytes?: number): ChunkSpillWriter {
  const w = new ChunkSpillWriter(file, memoryBytes);
  const chunk = new TraceChunk(Math.max(...sizes));
  for (let i = 0, s = 0; i < accesses.length; s++) {
    const part = accesses.slice(i, i + sizes[s % sizes.length]);
    chunk.clear();
    part.forEach((a, j) => {
      chunk.addr[j] = a.addr;
      chunk.kind[j] = a.kind;
      chunk.size[j] = a.size;
      if (a.high !== undefined) {
        chunk.addrHigh[j] = a.high;
        chunk.wide = true;
      }
    });
    chunk.length = part.length;
    w.write(chunk);
    i += part.length;
  }
  w.close();
  return w;
}

/** What the spill's file holds, read back through the writer's descriptor. */
function readBack(w: ChunkSpillWriter): Access[] {
  return accessesOf(readChunkSpill(w.descriptor, w.path));
}

/** The bytes of the writer's (unlinked) spill file. */
function spillBytes(w: ChunkSpillWriter): Buffer {
  const bytes = Buffer.alloc(fs.fstatSync(w.descriptor).size);
  fs.readSync(w.descriptor, bytes, 0, bytes.length, 0);
  return bytes;
}

/** The spill in `bytes`, read back from a file of its own. */
function readBackBytes(bytes: Uint8Array): Access[] {
  const file = path.join(tmp.dir, "crafted.spill");
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, "r");
  try {
    return accessesOf(readChunkSpill(fd, file));
  } finally {
    fs.closeSync(fd);
  }
}

/** The accesses of chunks as they are read (each copied before the next is read). */
function accessesOf(chunks: Iterable<TraceChunk>): Access[] {
  const out: Access[] = [];
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const a: Access = { addr: c.addr[i], kind: c.kind[i], size: c.size[i] };
      if (c.addrHigh[i] !== 0) a.high = c.addrHigh[i];
      out.push(a);
    }
  }
  return out;
}

describe("replay spill", () => {
  it("gives back every access in order, whatever the chunk sizes, larger than a default chunk included", () => {
    const accesses = randomAccesses(250_000, 7);
    const file = path.join(tmp.dir, "a.spill");
    const w = spill(file, accesses, [1000, 1, DEFAULT_CHUNK_CAPACITY + 3, 12345]);
    expectSameAccesses(readBack(w), accesses);
    w.release();
  });

  it("an empty spill reads as no accesses", () => {
    const file = path.join(tmp.dir, "empty.spill");
    const w = spill(file, [], [10]);
    expect(readBack(w)).toEqual([]);
    w.release();
  });

  it("a spill cut short or with a wrong end marker is an error, never a shorter trace", () => {
    const file = path.join(tmp.dir, "b.spill");
    const w = spill(file, randomAccesses(3000, 8), [1000]);
    const bytes = spillBytes(w);
    w.release();
    expect(() => readBackBytes(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated after 3000 accesses/);
    expect(() => readBackBytes(bytes.subarray(0, 5000))).toThrow(/truncated after 0 accesses/);
    bytes.writeUInt32LE(2999, bytes.length - 4);
    expect(() => readBackBytes(bytes)).toThrow(/holds 3000 accesses, its end marker says 2999/);
  });

  it("leaves no file behind, from the moment it makes one (it is read back through its descriptor)", () => {
    const file = path.join(tmp.dir, "gone.spill");
    const w = spill(file, randomAccesses(3000, 10), [1000]);
    expect(w.spilled).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    expect(readBack(w)).toHaveLength(3000);
    w.release();
  });

  it("within its memory budget the writer makes no file; past it the rest goes to the file, and all reads back in order", () => {
    const accesses = randomAccesses(5000, 9);
    const small = path.join(tmp.dir, "held.spill");
    const inMemory = spill(small, accesses, [1000], 7 * 5000);
    expect(fs.existsSync(small)).toBe(false);
    expect(inMemory.spilled).toBe(false);
    expect(collectSpill(inMemory)).toEqual(accesses);

    const big = path.join(tmp.dir, "split.spill");
    const split = spill(big, accesses, [1000], 7 * 2500);
    expect(split.spilled).toBe(true);
    expect(split.held.reduce((n, c) => n + c.length, 0)).toBe(2000);
    expect(collectSpill(split)).toEqual(accesses);
    expect(readBack(split)).toEqual(accesses.slice(2000));
    split.release();
  });

  it("keeps a 64-bit program's upper address words, held or on file, and leaves none behind in the narrow chunks that follow", () => {
    // Accesses 1000-2999 are above 4 GiB every third one; the chunks before and after are 32-bit.
    const accesses = randomAccesses(5000, 10).map((a, i) => (i >= 1000 && i < 3000 && i % 3 === 0 ? { ...a, high: 1 + (i % 0x7fff) } : a));
    const onFile = spill(path.join(tmp.dir, "wide.spill"), accesses, [1000]);
    expect(readBack(onFile)).toEqual(accesses);
    onFile.release();
    const split = spill(path.join(tmp.dir, "wide-split.spill"), accesses, [1000], 7 * 1000 + 11 * 1000);
    expect(split.held.map((c) => c.wide)).toEqual([false, true]);
    expect(collectSpill(split)).toEqual(accesses);
    split.release();
  });
});

function collectSpill(w: ChunkSpillWriter): Access[] {
  return accessesOf(readSpill(w));
}
