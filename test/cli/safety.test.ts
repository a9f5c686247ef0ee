/**
 * The command line's side of issue 14: outputs checked before the work
 * starts, existing files kept unless they are earlier vmm386 outputs (or
 * --force), one range per option, `-` as standard output, and failures as
 * one line with exit code 2. They run in-process (main(argv, io)); only
 * what needs a real process (a FIFO that would block) spawns the CLI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { settingsFromOptions } from "../../src/cli/options.js";
import { cli, cliIn, messageOf, spawnCli } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-safety-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TINY = "test/fixtures/traces/tiny-static.lackey.gz";

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** The one line `vmm386 ...args` refuses with (exit code 2). */
async function refusal(...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  return r.stderr;
}

/** A scenario whose run fails at once under OPT (it forks): if a report's path is refused first, it was checked first. */
const FORKS = file("forks.yaml", "machine: {policy: opt}\nprocesses:\n  - name: a\n    steps: [{fork: b}]\n  - name: b\n    steps: [{exit: 0}]\n");

describe("outputs are checked before the work starts", () => {
  it("run --report into a missing folder: refused before the scenario runs", async () => {
    expect(await refusal("run", FORKS, "--report", "/nonexistent/r.html")).toBe("vmm386: --report /nonexistent/r.html: no such directory /nonexistent\n");
  });

  it("replay --report: refused before the trace is read", async () => {
    const broken = file("broken.lackey", "I  00001000,4\nnot a trace line\n");
    expect(await refusal("replay", broken, "--report", "/nonexistent/r.html")).toBe("vmm386: --report /nonexistent/r.html: no such directory /nonexistent\n");
  });

  it("sweep --export-svg: refused before any point runs", async () => {
    const line = await refusal("sweep", FORKS, "--policies", "opt", "--workers", "1", "--export-svg", "/nonexistent/c.svg");
    expect(line).toBe("vmm386: --export-svg /nonexistent/c.svg: no such directory /nonexistent\n");
  });

  it("--report onto a README is refused and the README kept; --force replaces it", async () => {
    const readme = file("README.md", "# My project\n");
    expect(await refusal("run", FORKS, "--report", readme)).toBe(`vmm386: --report ${readme}: exists and is not a vmm386 HTML report; pass --force to replace it\n`);
    expect(fs.readFileSync(readme, "utf8")).toBe("# My project\n");
  });

  it("--report onto the scenario itself is refused even with --force", async () => {
    expect(await refusal("run", FORKS, "--report", FORKS, "--force")).toMatch(/is the input file/);
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
      expect(await refusal("torture", "--ops", "1", option, value), option).toBe(`vmm386: ${messageOf(() => settingsFromOptions({ [key]: value }))}\n`);
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
    expect(await refusal("run", huge)).toMatch(new RegExp(`^vmm386: ${huge}: about 1\\.6·10\\^13 accesses, more than the 10 billion .*; pass --force to run it anyway`));
  });
});

describe("the command line, end to end", () => {
  it("convert onto /dev/full: one line, exit code 2, no stack trace", async () => {
    const r = await cli("convert", TINY, "/dev/full", "--to", "binary");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: /dev/full: no space left on the device\n");
  });

  it("convert IN -: the trace on standard output, the summary on standard error, no file named -", async () => {
    const r = await cliIn(dir, "convert", path.resolve(TINY), "-", "--to", "refs");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").length).toBe(71417 + 1);
    expect(r.stderr).toMatch(/-> - \(refs, 71417 page references\)\n$/);
    expect(fs.existsSync(path.join(dir, "-"))).toBe(false);
  });

  it("disk show and run on a FIFO: refused at once, not blocked on it", () => {
    const fifo = path.join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    for (const args of [["disk", "show", fifo], ["run", fifo]]) {
      const r = spawnCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vmm386: ${fifo}: is a pipe \\(FIFO\\), not a regular file`));
    }
  });
});
