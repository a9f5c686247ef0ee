/**
 * Recording real programs under Valgrind's lackey (valgrind must be on the
 * PATH: .ci/run installs it), into a file or straight into a replay.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { AccessLineCounter, findOnPath, RecordError, Recording, recordToFile } from "../../../src/sim/trace/record.js";
import { replayTrace } from "../../../src/sim/trace/replay.js";
import { TraceInput } from "../../../src/sim/trace/trace-input.js";
import { naiveLackey, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A program that never ends on its own (the shell's busy loop). */
const FOREVER = { program: "/bin/sh", args: ["-c", "while :; do :; done"] };

describe("access line counting", () => {
  it("counts access lines, not Valgrind's messages, and finds the end of the N-th wherever the buffers split", () => {
    const lackey = "==1== Lackey\n==1== \nI  04012414,3\n S 1fff000d18,8\n--1-- note\n L 04033e06,1\n M 04033e06,1\n**1** hi\nI  0401b770,1\n";
    for (let split = 0; split <= lackey.length; split++) {
      const counter = new AccessLineCounter(4);
      const first = counter.scan(Buffer.from(lackey.slice(0, split)));
      const second = first >= 0 ? -1 : counter.scan(Buffer.from(lackey.slice(split)));
      const end = first >= 0 ? first : split + second;
      expect(lackey.slice(0, end)).toBe(lackey.slice(0, lackey.indexOf("**1**")));
    }
    const all = new AccessLineCounter();
    expect(all.scan(Buffer.from(lackey))).toBe(-1);
    expect(all.count).toBe(5);
  });
});

describe("recording a program under lackey", () => {
  it("finds programs on a PATH as a shell does", () => {
    expect(findOnPath("sh", "/nonexistent:/bin")).toBe("/bin/sh");
    expect(findOnPath("valgrind", "/nonexistent")).toBeNull();
  });

  it("writes the trace of a whole run, gzip'd, under the name given and nothing else", async () => {
    const out = path.join(tmp.dir, "true.lackey.gz");
    const outcome = await recordToFile({ program: "/bin/true" }, { path: out });
    const accesses = naiveLackey(gunzipSync(fs.readFileSync(out)).toString("latin1"));
    expect(outcome).toEqual({ accesses: accesses.length, cut: false, exitCode: 0, signal: null });
    expect(accesses.some((a) => a.high !== undefined)).toBe(true); // an x86-64 program's stack, above 4 GiB
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes("true"))).toEqual(["true.lackey.gz"]);
  });

  it("stops after --max-accesses N: exactly N access lines, the program ended", async () => {
    const out = path.join(tmp.dir, "loop.lackey");
    const outcome = await recordToFile({ ...FOREVER, maxAccesses: 12345 }, { path: out });
    expect(outcome).toEqual({ accesses: 12345, cut: true, exitCode: null, signal: "SIGTERM" });
    expect(naiveLackey(fs.readFileSync(out, "latin1"))).toHaveLength(12345);
  });

  it("ends the program when its trace will not be read (the replay failed first)", async () => {
    const recording = new Recording(FOREVER);
    recording.abandon();
    expect(await recording.finished()).toEqual({ accesses: 0, cut: false, exitCode: null, signal: "SIGTERM" });
  });

  it("refuses a program Valgrind cannot run in one line naming it, and leaves an earlier file of the name as it was", async () => {
    const out = path.join(tmp.dir, "kept.lackey");
    fs.writeFileSync(out, "earlier\n");
    await expect(recordToFile({ program: "/nonexistent/prog" }, { path: out, force: true })).rejects.toThrow(
      new RecordError("valgrind cannot run /nonexistent/prog: No such file or directory"),
    );
    const notElf = path.join(tmp.dir, "not-elf");
    fs.writeFileSync(notElf, fs.readFileSync("/bin/true").subarray(0, 100), { mode: 0o755 });
    await expect(recordToFile({ program: notElf }, { path: out, force: true })).rejects.toThrow(`valgrind cannot run ${notElf}: cannot execute binary file`);
    expect(fs.readFileSync(out, "latin1")).toBe("earlier\n");
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes("kept"))).toEqual(["kept.lackey"]);
  });

  it("says how to install Valgrind when it is not on the PATH", () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => new Recording({ program: "/bin/true" })).toThrow(/^valgrind is not on the PATH: install it \(Debian\/Ubuntu: sudo apt-get install valgrind;/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("replays a 64-bit program's trace as it comes, to the end, without a segfault", async () => {
    const recording = new Recording({ program: "/bin/ls", args: ["-d", "/"], stdout: "stderr" });
    const input = await TraceInput.fromStream("ls (valgrind)", recording.trace());
    const r = await replayTrace(input, { system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy: "clock" }, tempDir: tmp.dir, samples: 1 });
    const outcome = await recording.finished();
    expect(r.accesses).toBe(outcome.accesses);
    expect(outcome.exitCode).toBe(0);
    expect(r.mapping.regions.map((m) => m.kind)).toContain("stack");
    expect(r.stats.faults.segv).toBe(0);
    expect(r.process.status).toEqual({ state: "exited", code: 0 });
  });
});
