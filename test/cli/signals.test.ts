/**
 * Interrupting a command (issue 12, item 7): SIGINT or SIGTERM ends it
 * promptly, even in the middle of a long run, with the usual status (killed
 * by that signal: 130 or 143 in a shell), and leaves nothing behind: no
 * temporary swap image, spill or output file, even after SIGKILL; an image
 * the user gave is never removed. Spawned: signals need a process.
 *
 * Each signal is sent as soon as the run shows it is where the test needs it,
 * not after a fixed sleep: its temporary swap image open (seen through
 * /proc, since it is unlinked at once); for a run with a file to remove or
 * release, that file created (an output's temporary file, the image's lock)
 * and 0.3 s of the run's CPU time spent since (/proc/PID/stat), so past the
 * handler that removes it, which the run installs just after creating the
 * file, and into its work. A run without its handlers would die by the default action and
 * leave that file behind; one that never yields would not stop in time.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockPathOf } from "../../src/sim/image-lock.js";
import { refsText } from "../helpers/refs-fixture.js";
import { cli, spawnCliAsync, type CliRun } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-signals-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A scenario that swaps for minutes: 100 million random writes over 16 MiB on a 4 MiB machine. */
const LONG = path.join(dir, "long.yaml");
fs.writeFileSync(
  LONG,
  "machine: {ram: 4M, swap: 32M}\nprocesses:\n  - name: a\n    steps:\n      - brk: +16M\n      - touch: {at: heap, length: 16M, pattern: random, count: 100000000, access: write}\n",
);

/** How long a command may take to stop after the signal: a second, with room for a loaded machine. */
const STOPS_WITHIN_MS = 5000;

interface Interrupted extends CliRun {
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds from the signal to the process's exit. */
  readonly stoppedAfter: number;
}

/**
 * Runs `vmm386 ...args` with its own temporary folder, sends `signal` as soon as `ready(pid)` holds (the run has
 * shown that it got where the test needs it; polled every POLL_MS, for a minute at most), and waits for it to end.
 */
async function interrupt(args: string[], signal: NodeJS.Signals, tmp: string, ready: (pid: number) => boolean): Promise<Interrupted> {
  const { child, done } = spawnCliAsync(args, { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid ?? -1;
  for (let waited = 0; child.exitCode === null && !ready(pid) && waited < 60_000; waited += POLL_MS) await new Promise((r) => setTimeout(r, POLL_MS));
  const sent = performance.now();
  child.kill(signal);
  const r = await done;
  return { ...r, stoppedAfter: performance.now() - sent };
}

const POLL_MS = 20;

/** Without /proc (not Linux), the readiness tests below cannot look into the child: they wait this long instead. */
const BLIND_WAIT_MS = 1500;
const HAS_PROC = fs.existsSync("/proc/self/fd");

/**
 * The temporary swap image process `pid` swaps on, as its descriptor under /proc (the image is unlinked as
 * soon as it is open: only the descriptor shows it), or null while it has none under `tmp`.
 */
function swapImageOf(pid: number, tmp: string): string | null {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null; // not started yet, or already gone
  }
  for (const fd of fds) {
    const link = `/proc/${pid}/fd/${fd}`;
    let target: string;
    try {
      target = fs.readlinkSync(link);
    } catch {
      continue;
    }
    if (target.startsWith(tmp + path.sep) && target.endsWith("swap.img (deleted)")) return link;
  }
  return null;
}

/** Ready once the run has opened its temporary swap image: it is past start-up and into the machine's work. */
function swapOpen(tmp: string): (pid: number) => boolean {
  if (!HAS_PROC) return blindWait();
  return (pid) => swapImageOf(pid, tmp) !== null;
}

/**
 * Ready once `seen(pid)` has held and the run has since used WORK_SECONDS more CPU: past what it does right
 * after making the file `seen` looks for (installing the handler that removes it, microseconds later) and
 * into its work (a replay's first pass over the trace takes ~0.07 s), however loaded the machine.
 */
function thenWorks(seen: (pid: number) => boolean): (pid: number) => boolean {
  if (!HAS_PROC) return blindWait();
  let from = -1;
  return (pid) => {
    if (from >= 0) return cpuSeconds(pid) >= from + WORK_SECONDS;
    if (seen(pid)) from = cpuSeconds(pid);
    return false;
  };
}

const WORK_SECONDS = 0.3;

/** CPU seconds process `pid` has used (/proc/PID/stat's utime + stime, in Linux's 100 ticks a second), -1 once it is gone. */
function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return -1;
  }
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / 100;
}

/** True once `file` exists: the run created it, and just after, the handler that removes or releases it. */
function exists(file: string): (pid: number) => boolean {
  return () => fs.existsSync(file);
}

/** True once the output `file`'s temporary file exists beside it: the handler that removes it comes just after. */
function writing(file: string): (pid: number) => boolean {
  const prefix = `.${path.basename(file)}.vmm386-`;
  return () => fs.readdirSync(path.dirname(file)).some((name) => name.startsWith(prefix));
}

/** Without /proc: true once BLIND_WAIT_MS have passed since the first call. */
function blindWait(): () => boolean {
  let start = -1;
  return () => {
    if (start < 0) start = performance.now();
    return performance.now() - start >= BLIND_WAIT_MS;
  };
}

/** A fresh folder for a run's temporary files. */
function tmpFolder(name: string): string {
  const tmp = path.join(dir, name);
  fs.mkdirSync(tmp);
  return tmp;
}

/** The run ended by `signal`, as a shell sees it (128 + the signal's number). */
function expectEndedBy(r: Interrupted, signal: "SIGINT" | "SIGTERM"): void {
  expect(r.signal === signal || r.code === (signal === "SIGINT" ? 130 : 143), `${r.code} ${r.signal} ${r.stderr}`).toBe(true);
  expect(r.stoppedAfter).toBeLessThan(STOPS_WITHIN_MS);
}

describe("signals", () => {
  it("SIGINT stops a long run at once; its temporary swap image was never left on disk", async () => {
    const tmp = tmpFolder("int");
    const r = await interrupt(["run", LONG], "SIGINT", tmp, swapOpen(tmp));
    expectEndedBy(r, "SIGINT");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("SIGTERM stops a run writing a report (so listening for signals) within a second, and removes the report's temporary file", async () => {
    const tmp = tmpFolder("term");
    const report = path.join(tmp, "r.html");
    const r = await interrupt(["run", LONG, "--report", report], "SIGTERM", tmp, thenWorks(writing(report)));
    expectEndedBy(r, "SIGTERM");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("SIGTERM stops a run of a million short-lived forked processes (the scheduler's turns, not a touch) within a second", async () => {
    const tmp = tmpFolder("forks");
    const forks = path.join(dir, "forks.yaml");
    fs.writeFileSync(forks, fs.readFileSync("examples/many-forks.yaml", "utf8").replace("times: 1000, steps", "times: 1000000, steps"));
    const r = await interrupt(["run", forks], "SIGTERM", tmp, swapOpen(tmp));
    expectEndedBy(r, "SIGTERM");
    expect(r.stdout).toBe("");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("SIGINT stops a replay that swaps, with a report to write, within a second; nothing is left", async () => {
    const trace = path.join(dir, "random.refs");
    // A million references to 40,000 pages (160 MiB) on a 4 MiB machine: nearly every one a swap fault.
    let x = 7;
    const pages = new Int32Array(1_000_000);
    for (let i = 0; i < pages.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      pages[i] = x % 40000;
    }
    fs.writeFileSync(trace, refsText(pages));
    const tmp = tmpFolder("replay");
    const report = path.join(tmp, "r.html");
    const r = await interrupt(["replay", trace, "--ram", "4M", "--swap", "256M", "--report", report], "SIGINT", tmp, thenWorks(writing(report)));
    expectEndedBy(r, "SIGINT");
    expect(r.stdout).toBe(""); // stopped in the replay, not after it (a loop that never yields would finish first)
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("SIGKILL leaves no temporary swap image behind", async () => {
    const tmp = tmpFolder("kill");
    const r = await interrupt(["run", LONG], "SIGKILL", tmp, swapOpen(tmp));
    expect(r.signal).toBe("SIGKILL");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("a --swap-image the user gave survives SIGINT (its lock released) and SIGKILL", async () => {
    const tmp = tmpFolder("image");
    const image = path.join(dir, "user.img");
    expect((await cli("disk", "create", image, "--size", "40M", "--swap", "32M")).code).toBe(0);
    const locked = (): ((pid: number) => boolean) => thenWorks(exists(lockPathOf(image)));
    const r = await interrupt(["run", LONG, "--swap-image", image], "SIGINT", tmp, locked());
    expectEndedBy(r, "SIGINT");
    expect(fs.existsSync(image)).toBe(true);
    expect(fs.existsSync(lockPathOf(image))).toBe(false);
    expect((await interrupt(["run", LONG, "--swap-image", image, "--json"], "SIGKILL", tmp, locked())).signal).toBe("SIGKILL");
    expect(fs.existsSync(image)).toBe(true);
    // SIGKILL left the lock (the next run on the image would find it stale); the image goes with the test, so its lock too.
    fs.rmSync(lockPathOf(image));
  });
});
