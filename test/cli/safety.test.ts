/**
 * The command line's side of issue 14: outputs checked before the work
 * starts, existing files kept unless they are earlier vmm386 outputs (or
 * --force), one range per option, `-` as standard output, and failures as
 * one line with exit code 2. Refusals run in-process (in-process.ts); only
 * what needs a real process (exit codes, standard output, a FIFO that would
 * block) spawns the CLI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { register as run } from "../../src/cli/commands/run.js";
import { register as replay } from "../../src/cli/commands/replay.js";
import { register as sweep } from "../../src/cli/commands/sweep.js";
import { register as torture } from "../../src/cli/commands/torture.js";
import { machineFromOptions } from "../../src/cli/options.js";
import { OutputFileError } from "../../src/sim/output-file.js";
import { commandError } from "./in-process.js";
import { cli, messageOf } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-safety-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TSX = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;
const TINY = "test/fixtures/traces/tiny-static.lackey.gz";

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** A scenario whose run fails at once under OPT (it forks): if a report's path is refused first, it was checked first. */
const FORKS = file("forks.yaml", "machine: {policy: opt}\nprocesses:\n  - name: a\n    steps: [{fork: b}]\n  - name: b\n    steps: [{exit: 0}]\n");

describe("outputs are checked before the work starts", () => {
  it("run --report into a missing folder: refused before the scenario runs", async () => {
    const e = await commandError(run, "run", FORKS, "--report", "/nonexistent/r.html");
    expect(e).toEqual(new OutputFileError("--report /nonexistent/r.html", "no such directory /nonexistent"));
  });

  it("replay --report: refused before the trace is read", async () => {
    const broken = file("broken.lackey", "I  00001000,4\nnot a trace line\n");
    const e = await commandError(replay, "replay", broken, "--report", "/nonexistent/r.html");
    expect(e).toBeInstanceOf(OutputFileError);
  });

  it("sweep --export-svg: refused before any point runs", async () => {
    const e = await commandError(sweep, "sweep", FORKS, "--policies", "opt", "--workers", "1", "--export-svg", "/nonexistent/c.svg");
    expect(e).toEqual(new OutputFileError("--export-svg /nonexistent/c.svg", "no such directory /nonexistent"));
  });

  it("--report onto a README is refused and the README kept; --force replaces it", async () => {
    const readme = file("README.md", "# My project\n");
    const e = await commandError(run, "run", FORKS, "--report", readme);
    expect(e.message).toBe(`--report ${readme}: exists and is not a vmm386 HTML report; pass --force to replace it`);
    expect(fs.readFileSync(readme, "utf8")).toBe("# My project\n");
  });

  it("--report onto the scenario itself is refused even with --force", async () => {
    const e = await commandError(run, "run", FORKS, "--report", FORKS, "--force");
    expect(e.message).toMatch(/is the input file/);
  });
});

describe("one range per option", () => {
  it("torture refuses what run refuses, in the same words", async () => {
    for (const [option, value, key] of [
      ["--ram", "1580K", "ram"],
      ["--swap", "1T", "swap"],
      ["--seed", "4294967296", "seed"],
      ["--user-frames", "0", "userFrames"],
    ] as const) {
      const e = await commandError(torture, "torture", "--ops", "1", option, value);
      expect(e.message, option).toBe(messageOf(() => machineFromOptions({ [key]: value })));
    }
  });
});

describe("the work limit", () => {
  it("run refuses a scenario of 10^14 accesses before running it", async () => {
    const huge = file(
      "huge.yaml",
      "processes:\n  - name: a\n    steps:\n      - brk: +1M\n      - repeat:\n          times: 10000\n          steps:\n" +
        "            - touch: {at: heap, length: 1M, pattern: loop, loops: 100000, stride: 64}\n",
    );
    const e = await commandError(run, "run", huge);
    expect(e.message).toMatch(new RegExp(`^${huge}: about 1\\.6·10\\^13 accesses, more than the 10 billion .*; pass --force to run it anyway`));
  });
});

describe("the command line, end to end", () => {
  it("convert onto /dev/full: one line, exit code 2, no stack trace", () => {
    const r = cli("convert", TINY, "/dev/full", "--to", "binary");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: /dev/full: no space left on the device\n");
  });

  it("convert IN -: the trace on standard output, the summary on standard error, no file named -", () => {
    const r = spawnSync(process.execPath, ["--import", TSX, path.resolve("src/cli/main.ts"), "convert", path.resolve(TINY), "-", "--to", "refs"], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").length).toBe(71417 + 1);
    expect(r.stderr).toMatch(/-> - \(refs, 71417 page references\)\n$/);
    expect(fs.existsSync(path.join(dir, "-"))).toBe(false);
  });

  it("disk show and run on a FIFO: refused at once, not blocked on it", () => {
    const fifo = path.join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    for (const args of [["disk", "show", fifo], ["run", fifo]]) {
      const r = spawnSync(process.execPath, ["--import", TSX, "src/cli/main.ts", ...args], { encoding: "utf8", timeout: 60_000 });
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vmm386: ${fifo}: is a pipe \\(FIFO\\), not a regular file`));
    }
  });
});
