/**
 * File safety: whatever the output names — a device, a FIFO, a symbolic or
 * hard link to the input, a read-only file, a directory, a full device, the
 * input itself — vmm386 never deletes or truncates anything it did not
 * create, and a failure says what went wrong in one line naming the path.
 * Runs the real conversion (the command's own code path) in-process.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputFileError, openOutput, writeWhole } from "../../src/sim/output-file.js";
import { convertTrace } from "../../src/sim/trace/convert.js";
import { HTML_REPORT } from "../../src/report/output-kinds.js";
import { describeHostError } from "../../src/machine/host-file.js";
import { tempDir, writeFile } from "./trace/helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const GOOD = " L 00001000,4\n S 00002000,4\n".repeat(5000);
/** A trace whose 101st line is bad: the conversion fails after writing some of its output. */
const BAD = "I  00001000,4\n".repeat(100) + "garbage\n";

let n = 0;
/** A fresh folder for one case, so that stray temporary files would show. */
function folder(): string {
  const dir = path.join(tmp.dir, `case${n++}`);
  fs.mkdirSync(dir);
  return dir;
}

/** What the folder holds, names and bytes, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    out[name] = st.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : st.isFile() ? fs.readFileSync(p, "latin1") : st.isFIFO() ? "fifo" : "other";
  }
  return out;
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (e) {
    if (e instanceof OutputFileError) return e.message;
    throw e;
  }
  throw new Error("expected an OutputFileError");
}

describe("convert never loses what was there", () => {
  it("a failed conversion onto an earlier trace leaves it whole, and no temporary file behind", async () => {
    const dir = folder();
    const input = writeFile(dir, "bad.lackey", BAD);
    const out = writeFile(dir, "out.lackey", GOOD);
    const before = snapshot(dir);
    await expect(convertTrace(input, out, "lackey")).rejects.toThrow(/bad\.lackey:101: expected/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a failed conversion to a new name leaves nothing", async () => {
    const dir = folder();
    const input = writeFile(dir, "bad.lackey", BAD);
    await expect(convertTrace(input, path.join(dir, "new.bin"), "binary")).rejects.toThrow(/bad\.lackey:101/);
    expect(Object.keys(snapshot(dir))).toEqual(["bad.lackey"]);
  });

  it("a successful conversion replaces an earlier trace in one step, keeping its mode", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    const out = writeFile(dir, "out.refs", "1\n2\n");
    fs.chmodSync(out, 0o640);
    const r = await convertTrace(input, out, "refs");
    expect(r.written).toBe(10000);
    expect(fs.readFileSync(out, "latin1").split("\n").slice(0, 2)).toEqual(["1", "2"]);
    expect(fs.statSync(out).mode & 0o777).toBe(0o640);
    expect(Object.keys(snapshot(dir)).sort()).toEqual(["in.lackey", "out.refs"]);
  });

  it("onto its input through a symbolic link, a hard link or by name: refused, the input untouched", async () => {
    const dir = folder();
    const input = writeFile(dir, "cm2.lackey", GOOD);
    fs.symlinkSync("cm2.lackey", path.join(dir, "link.lackey"));
    fs.linkSync(input, path.join(dir, "hard.lackey"));
    const before = snapshot(dir);
    for (const [from, to] of [
      [path.join(dir, "link.lackey"), input],
      [input, path.join(dir, "link.lackey")],
      [input, path.join(dir, "hard.lackey")],
      [input, input],
    ]) {
      expect(await refusal(convertTrace(from, to, "lackey", { force: true }))).toMatch(/is the input file/);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it("a read-only file is refused and kept, whoever runs vmm386 (root too), even with --force", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    const out = writeFile(dir, "precious.bin", "not yours");
    fs.chmodSync(out, 0o444);
    const before = snapshot(dir);
    expect(await refusal(convertTrace(input, out, "binary", { force: true }))).toBe(`${out}: is read-only; it was not replaced (make it writable or choose another output)`);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a file that is not a trace of that format is kept unless --force", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    const readme = writeFile(dir, "README", "# my notes\nimportant\n");
    expect(await refusal(convertTrace(input, readme, "refs"))).toBe(`${readme}: exists and is not a refs trace; pass --force to replace it`);
    expect(fs.readFileSync(readme, "latin1")).toBe("# my notes\nimportant\n");
    await convertTrace(input, readme, "refs", { force: true });
    expect(fs.readFileSync(readme, "latin1").startsWith("1\n2\n")).toBe(true);
  });

  it("a directory is refused with one line, not a stack trace", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    fs.mkdirSync(path.join(dir, "d"));
    expect(await refusal(convertTrace(input, path.join(dir, "d"), "binary"))).toBe(`${path.join(dir, "d")}: is a directory, not a file`);
    expect(fs.readdirSync(path.join(dir, "d"))).toEqual([]);
  });

  it("a symbolic link to a regular file: the file is replaced, the link kept", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    writeFile(dir, "target.refs", "7\n");
    fs.symlinkSync("target.refs", path.join(dir, "out.refs"));
    await convertTrace(input, path.join(dir, "out.refs"), "refs");
    expect(fs.readlinkSync(path.join(dir, "out.refs"))).toBe("target.refs");
    expect(fs.readFileSync(path.join(dir, "target.refs"), "latin1").startsWith("1\n2\n")).toBe(true);
    expect(Object.keys(snapshot(dir)).sort()).toEqual(["in.lackey", "out.refs", "target.refs"]);
  });

  it("a character device is written in place and survives a failed conversion", async () => {
    const dir = folder();
    const input = writeFile(dir, "bad.lackey", BAD);
    await expect(convertTrace(input, "/dev/null", "binary")).rejects.toThrow(/bad\.lackey:101/);
    expect(fs.statSync("/dev/null").isCharacterDevice()).toBe(true);
    expect((await convertTrace(writeFile(dir, "ok.lackey", GOOD), "/dev/null", "lackey")).written).toBe(10000);
  });

  it("a full device (/dev/full): one line naming it, no space left; nothing created", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    expect(await refusal(convertTrace(input, "/dev/full", "binary"))).toBe("/dev/full: no space left on the device");
    expect(fs.statSync("/dev/full").isCharacterDevice()).toBe(true);
  });

  it("a FIFO whose reader goes away (EPIPE): one line, and the FIFO and the link to it are kept", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD.repeat(20));
    const fifo = path.join(dir, "pipe");
    await run("mkfifo", [fifo]);
    fs.symlinkSync(fifo, path.join(dir, "out"));
    const reader = run("head", ["-c", "100", fifo]);
    expect(await refusal(convertTrace(input, path.join(dir, "out"), "lackey"))).toBe(`${path.join(dir, "out")}: the reader closed the pipe; output incomplete`);
    await reader;
    expect(fs.lstatSync(path.join(dir, "out")).isSymbolicLink()).toBe(true);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
  });

  it("a file of /proc (EIO or refused): one line, the file as it was", async () => {
    const dir = folder();
    const input = writeFile(dir, "in.lackey", GOOD);
    const version = fs.readFileSync("/proc/version", "latin1");
    expect(await refusal(convertTrace(input, "/proc/version", "lackey"))).toMatch(/^\/proc\/version: /);
    expect(fs.readFileSync("/proc/version", "latin1")).toBe(version);
  });

  it("a new file in a folder that does not exist: refused before any input is read", async () => {
    const missing = path.join(tmp.dir, "no-such-folder", "x.bin");
    expect(await refusal(convertTrace(path.join(tmp.dir, "no-such-input.lackey"), missing, "binary"))).toBe(`${missing}: no such directory ${path.dirname(missing)}`);
  });
});

describe("reports", () => {
  it("replace an earlier vmm386 report, never another file unless forced", async () => {
    const dir = folder();
    const report = path.join(dir, "r.html");
    await writeWhole(openOutput(report, { kind: HTML_REPORT }), '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="vmm386"><title>x</title>');
    await writeWhole(openOutput(report, { kind: HTML_REPORT }), "<!DOCTYPE html><head><title>y — vmm386</title></head>");
    expect(fs.readFileSync(report, "utf8")).toContain("<title>y — vmm386</title>");
    const readme = writeFile(dir, "README.md", "# Project\n");
    expect(() => openOutput(readme, { kind: HTML_REPORT, option: "--report" })).toThrow(
      new OutputFileError(`--report ${readme}`, "exists and is not a vmm386 HTML report; pass --force to replace it"),
    );
    expect(fs.readFileSync(readme, "utf8")).toBe("# Project\n");
    expect(Object.keys(snapshot(dir)).sort()).toEqual(["README.md", "r.html"]);
  });

  it("an output given up (the run failed) leaves no temporary file, and the earlier report as it was", () => {
    const dir = folder();
    const report = path.join(dir, "r.html");
    fs.writeFileSync(report, "<html><head><title>old — vmm386</title></head>"); // an older report: no generator mark
    const before = snapshot(dir);
    const out = openOutput(report, { kind: HTML_REPORT });
    expect(fs.readdirSync(dir).length).toBe(2); // the temporary file, beside it
    out.abort();
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("host errors in the user's words", () => {
  it("a read-only file system, a full disk, an I/O error", () => {
    const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code, syscall: "open", path: "/mnt/r.html" });
    expect(describeHostError(error("EROFS"))).toBe("/mnt/r.html: read-only file system");
    expect(describeHostError(error("ENOSPC"))).toBe("/mnt/r.html: no space left on the device");
    expect(describeHostError(error("EIO"))).toBe("/mnt/r.html: input/output error (the device failed)");
  });
});

/** Runs a program to its end (rejects on a non-zero exit). */
function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: "ignore" });
  return new Promise((resolve, reject) => child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`)))));
}
