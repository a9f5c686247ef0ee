import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { paceText, startProgress, type Progress, type ProgressTerminal } from "../../src/cli/progress.js";

/** A terminal (or not) that keeps what is drawn on it, with a clock the test moves. */
class FakeTerminal implements ProgressTerminal {
  written = "";
  ms = 0;
  readonly stream: Writable & { isTTY: boolean; columns: number };

  constructor(isTTY: boolean) {
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.written += chunk.toString();
        done();
      },
    });
    this.stream = Object.assign(stream, { isTTY, columns: 100 });
  }

  now(): number {
    return this.ms;
  }

  /** What has been drawn since `from` (an offset in `written`). */
  since(from: number): string {
    return this.written.slice(from);
  }
}

const CLEAR_LINE = "\x1b[2K";
const started: Progress[] = [];
afterEach(() => {
  // A bar left running would keep its redraw timer alive.
  for (const p of started.splice(0)) p.stop();
});

function progressOn(terminal: FakeTerminal, quiet = false): Progress {
  const p = startProgress(quiet, terminal);
  started.push(p);
  return p;
}

/** A replay of 1.2 s: reading the trace (10 000 bytes) until 0.83 s, replaying (500 accesses) until 1.2 s. */
function twoShortPhases(terminal: FakeTerminal, progress: Progress): void {
  for (let ms = 0; ms <= 830; ms += 83) {
    terminal.ms = ms;
    progress.update("reading trace", ms * 12, 10_000);
  }
  for (let ms = 830; ms <= 1200; ms += 37) {
    terminal.ms = ms;
    progress.update("replaying", (ms - 830) * 1.35, 500);
  }
}

describe("progress bar", () => {
  it("appears once the command has run a second, though neither of its phases lasts one", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal);
    for (let ms = 0; ms <= 830; ms += 83) {
      terminal.ms = ms;
      progress.update("reading trace", ms * 12, 10_000);
    }
    terminal.ms = 990;
    progress.update("replaying", 216, 500);
    expect(terminal.written).toBe("");
    terminal.ms = 1000;
    progress.update("replaying", 229, 500);
    expect(terminal.written).toContain("replaying [");
    expect(terminal.written).toContain("229/500");
    expect(terminal.written).not.toContain("reading trace");
    const before = terminal.written.length;
    progress.stop();
    expect(terminal.since(before)).toContain(CLEAR_LINE);
    // Stopping twice (a finally after an explicit stop) draws nothing more.
    const after = terminal.written.length;
    progress.stop();
    expect(terminal.written.length).toBe(after);
  });

  it("relabels the bar when the phase changes after the first second: the old one is cleared, the new one drawn", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal);
    terminal.ms = 1100;
    progress.update("reading trace", 9000, 10_000);
    expect(terminal.written).toContain("reading trace [");
    const before = terminal.written.length;
    terminal.ms = 1200;
    progress.update("replaying", 10, 500);
    const redrawn = terminal.since(before);
    const cleared = redrawn.indexOf(CLEAR_LINE);
    expect(cleared).toBeGreaterThan(redrawn.lastIndexOf("reading trace"));
    expect(redrawn.indexOf("replaying [")).toBeGreaterThan(cleared);
  });

  it("shows no bar for a phase of unknown size (a trace from a pipe), and the next phase's straight away", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal);
    terminal.ms = 1500;
    progress.update("reading trace", 4096, 0);
    expect(terminal.written).toBe("");
    progress.update("replaying", 1, 500);
    expect(terminal.written).toContain("replaying [");
  });

  it("stays silent for a command done within the second, stop included", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal);
    for (let ms = 0; ms < 1000; ms += 100) {
      terminal.ms = ms;
      progress.update(ms < 500 ? "reading trace" : "replaying", ms, 1000);
    }
    progress.stop();
    expect(terminal.written).toBe("");
  });

  it("shows a long replay's rate since its phase began and the time left at that rate", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal);
    terminal.ms = 500;
    progress.update("reading trace", 600_000_000, 600_000_000, "B");
    terminal.ms = 2000;
    progress.update("replaying", 0, 100_000_000, "accesses");
    terminal.ms = 6000;
    progress.update("replaying", 18_000_000, 100_000_000, "accesses");
    progress.stop(); // draws the last update (the bar redraws at most 10 times a second otherwise)
    // 18 M accesses in the 4 s since the replay began; 82 M left at 4.5 M/s.
    expect(terminal.written).toContain("18000000/100000000, 4.50 M accesses/s, ETA 19s");
  });

  it("writes rates with an SI prefix and times left in seconds, minutes or hours", () => {
    expect(paceText(38_100_000, 1000, 0, "B")).toBe(", 38.1 MB/s, ETA 0s");
    expect(paceText(950, 1000, 950 * 65, "accesses")).toBe(", 950 accesses/s, ETA 1m05s");
    expect(paceText(12_345, 1000, 12_345 * 7380, "accesses")).toBe(", 12.3 k accesses/s, ETA 2h03m");
    expect(paceText(0, 1000, 10, "accesses")).toBe("");
  });

  it("draws nothing when stderr is not a terminal (pipes, CI logs)", () => {
    const terminal = new FakeTerminal(false);
    const progress = progressOn(terminal);
    twoShortPhases(terminal, progress);
    terminal.ms = 60_000;
    progress.update("replaying", 400, 500);
    progress.stop();
    expect(terminal.written).toBe("");
  });

  it("draws nothing with --json (quiet), even on a terminal", () => {
    const terminal = new FakeTerminal(true);
    const progress = progressOn(terminal, true);
    twoShortPhases(terminal, progress);
    terminal.ms = 60_000;
    progress.update("replaying", 400, 500);
    progress.stop();
    expect(terminal.written).toBe("");
  });
});
