import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { convertTrace } from "../../../src/sim/trace/convert.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import { replayTrace, type ReplayResult } from "../../../src/sim/trace/replay.js";
import { isStreamInput, openTraceInput, STDIN } from "../../../src/sim/trace/trace-input.js";
import { collect, expectSameAccesses, FIXTURES, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const TINY = path.join(FIXTURES, "tiny-static.lackey.gz");
/** The tiny trace in every format a pipe may carry, plain and gzip'd. */
const copies: Record<string, string> = {};

beforeAll(async () => {
  copies["lackey.gz"] = TINY;
  copies.lackey = writeFile(tmp.dir, "tiny.lackey", await gunzipped(TINY));
  for (const name of ["tiny.bin", "tiny.bin.gz", "tiny.refs", "tiny.refs.gz"]) {
    const out = path.join(tmp.dir, name);
    await convertTrace(TINY, out, name.includes(".bin") ? "binary" : "refs");
    copies[name.slice(5)] = out;
  }
});

async function gunzipped(file: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const b of (await openTraceInput(file)).bytes()) parts.push(b);
  return Buffer.concat(parts);
}

let fifos = 0;
/** A new FIFO fed with `file`'s bytes once a reader opens it; `fed` settles when the writer is done (or the reader left). */
function fifoOf(file: string): { fifo: string; fed: Promise<NodeJS.ErrnoException | null> } {
  const fifo = path.join(tmp.dir, `fifo-${++fifos}`);
  execFileSync("mkfifo", [fifo]);
  const fed = new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const out = fs.createWriteStream(fifo);
    out.on("error", (e) => resolve(e));
    out.on("finish", () => resolve(null));
    fs.createReadStream(file).pipe(out);
  });
  return { fifo, fed };
}

function config(policy: "clock" | "opt") {
  return { system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames: 16 }, tempDir: tmp.dir };
}

/** What a replay found (not the file name or times; the layout by its regions). */
function outcome(r: ReplayResult): unknown {
  const { format, accesses, references, straddles, byKind, distinctPages, stats, process, panic, strictTlb } = r;
  return { format, accesses, references, straddles, byKind, distinctPages, stats, process, panic, strictTlb, regions: r.mapping.regions };
}

describe("stream inputs (pipes, FIFOs, standard input)", () => {
  it("are told apart from regular files", () => {
    const { fifo, fed } = fifoOf(TINY);
    expect(isStreamInput(fifo)).toBe(true);
    expect(isStreamInput(TINY)).toBe(false);
    expect(isStreamInput(STDIN)).toBe(true);
    expect(isStreamInput("/dev/stdin")).toBe(true);
    expect(isStreamInput("/dev/null")).toBe(true);
    // Let the writer finish: open the FIFO once and read it to the end.
    return Promise.all([gunzipped(fifo), fed]);
  });

  it("are looked at once and give back the bytes looked at: gzip magic and format detection consume nothing", async () => {
    const { fifo, fed } = fifoOf(TINY);
    const input = await openTraceInput(fifo);
    expect(input).toMatchObject({ gzip: true, format: "lackey", isStream: true, fileBytes: 0 });
    const fromFifo = await collect(readTrace(input));
    expect(await fed).toBeNull();
    expectSameAccesses(fromFifo, await collect(readTrace(TINY)));
  });

  for (const kind of ["lackey", "lackey.gz", "refs", "refs.gz", "bin", "bin.gz"]) {
    it(`replay a ${kind} trace from a FIFO exactly as from its file (read once, the replay pass reads the spill)`, async () => {
      const file = copies[kind];
      for (const policy of ["clock", "opt"] as const) {
        const { fifo, fed } = fifoOf(file);
        const [fromFifo, fromFile] = await Promise.all([replayTrace(fifo, config(policy)), replayTrace(file, config(policy))]);
        expect(await fed).toBeNull();
        expect(fromFifo.stats.faults.swapIn).toBeGreaterThan(0);
        expect(outcome(fromFifo)).toEqual(outcome(fromFile));
      }
    });
  }

  it("a stream that is not a trace is refused and closed: its writer is not left blocked", async () => {
    const garbage = writeFile(tmp.dir, "garbage.txt", "garbage\n".repeat(100_000));
    const { fifo, fed } = fifoOf(garbage);
    await expect(replayTrace(fifo, config("clock"))).rejects.toThrow(`${fifo}:1: not a trace vmm386 knows`);
    expect((await fed)?.code).toBe("EPIPE");
  });

  it("a stream looked at but never read is closed by its input's close()", async () => {
    const first = fifoOf(copies.refs);
    const input = await openTraceInput(first.fifo);
    expect(input.format).toBe("refs");
    await input.close();
    expect((await first.fed)?.code).toBe("EPIPE");
  });
});
