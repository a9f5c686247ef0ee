import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { ChunkSpillWriter, readChunkSpill, readSpill } from "../../../src/sim/trace/chunk-spill.js";
import { TraceChunk, DEFAULT_CHUNK_CAPACITY } from "../../../src/sim/trace/trace-chunk.js";
import { randomAccesses, tempDir, type Access } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Spills the accesses in chunks of the given sizes (cycled), keeping up to `memoryBytes` in memory if given. */
function spill(file: string, accesses: Access[], sizes: number[], memoryBytes?: number): ChunkSpillWriter {
  const w = new ChunkSpillWriter(file, memoryBytes);
  const chunk = new TraceChunk(Math.max(...sizes));
  for (let i = 0, s = 0; i < accesses.length; s++) {
    const part = accesses.slice(i, i + sizes[s % sizes.length]);
    part.forEach((a, j) => {
      chunk.addr[j] = a.addr;
      chunk.kind[j] = a.kind;
      chunk.size[j] = a.size;
    });
    chunk.length = part.length;
    w.write(chunk);
    i += part.length;
  }
  w.close();
  return w;
}

function readBack(file: string): Access[] {
  const out: Access[] = [];
  for (const c of readChunkSpill(file)) {
    for (let i = 0; i < c.length; i++) out.push({ addr: c.addr[i], kind: c.kind[i], size: c.size[i] });
  }
  return out;
}

describe("replay spill", () => {
  it("gives back every access in order, whatever the chunk sizes, larger than a default chunk included", () => {
    const accesses = randomAccesses(250_000, 7);
    const file = path.join(tmp.dir, "a.spill");
    spill(file, accesses, [1000, 1, DEFAULT_CHUNK_CAPACITY + 3, 12345]);
    expect(readBack(file)).toEqual(accesses);
  });

  it("an empty spill reads as no accesses", () => {
    const file = path.join(tmp.dir, "empty.spill");
    spill(file, [], [10]);
    expect(readBack(file)).toEqual([]);
  });

  it("a spill cut short or with a wrong end marker is an error, never a shorter trace", () => {
    const file = path.join(tmp.dir, "b.spill");
    spill(file, randomAccesses(3000, 8), [1000]);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    expect(() => readBack(file)).toThrow(/truncated after 3000 accesses/);
    fs.writeFileSync(file, bytes.subarray(0, 5000));
    expect(() => readBack(file)).toThrow(/truncated after 0 accesses/);
    bytes.writeUInt32LE(2999, bytes.length - 4);
    fs.writeFileSync(file, bytes);
    expect(() => readBack(file)).toThrow(/holds 3000 accesses, its end marker says 2999/);
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
    expect(readBack(big)).toEqual(accesses.slice(2000));
  });
});

function collectSpill(w: ChunkSpillWriter): Access[] {
  const out: Access[] = [];
  for (const c of readSpill(w)) {
    for (let i = 0; i < c.length; i++) out.push({ addr: c.addr[i], kind: c.kind[i], size: c.size[i] });
  }
  return out;
}
