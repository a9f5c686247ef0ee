/**
 * How the commands drive their progress: one Progress for the whole command
 * (so the one-second delay counts from its start, not from each phase),
 * quiet with --json, and stopped whether the command succeeds or fails.
 * What the bar draws, and when, is progress.test.ts's business.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Progress } from "../../src/cli/progress.js";
import { cliOn, type CliRun } from "./cli-helper.js";

interface Made {
  quiet: boolean;
  /** Each update's label, in order, runs of the same label collapsed. */
  phases: string[];
  updates: number;
  stops: number;
}
const made: Made[] = [];

/** `vmm386 ...args`, every progress it starts recorded in `made`. */
function cli(...args: string[]): Promise<CliRun> {
  return cliOn({ progress: recordProgress }, ...args);
}

function recordProgress(quiet: boolean): Progress {
  const m: Made = { quiet, phases: [], updates: 0, stops: 0 };
  made.push(m);
  return {
    update: (label: string) => {
      m.updates++;
      if (m.phases.at(-1) !== label) m.phases.push(label);
    },
    stop: () => void m.stops++,
    announce: () => undefined,
  };
}

const TRACE = path.resolve("test/fixtures/traces/tiny-dyn-head.lackey");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-progress-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  made.length = 0;
});

describe("commands' progress", () => {
  it("replay: one progress over both passes, reading the trace then replaying it, stopped at the end", async () => {
    expect((await cli("replay", TRACE)).code).toBe(0);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ quiet: false, phases: ["reading trace", "replaying"], stops: 1 });
  });

  it("replay --json: quiet", async () => {
    expect((await cli("replay", TRACE, "--json")).code).toBe(0);
    expect(made.map((m) => m.quiet)).toEqual([true]);
  });

  it("replay: stopped when the trace turns out bad halfway through reading it", async () => {
    const bad = path.join(dir, "bad.lackey");
    fs.writeFileSync(bad, `${fs.readFileSync(TRACE, "utf8")} L zz,4\n`);
    const r = await cli("replay", bad, "--format", "lackey");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.lackey/);
    expect(made).toHaveLength(1);
    expect(made[0].phases).toEqual(["reading trace"]);
    expect(made[0].stops).toBe(1);
  });

  it("run (and demo): one progress over the accesses, stopped at the end; quiet with --json", async () => {
    expect((await cli("run", "examples/demand-paging.yaml")).code).toBe(0);
    expect((await cli("run", "examples/demand-paging.yaml", "--json")).code).toBe(0);
    expect(made).toMatchObject([
      { quiet: false, phases: ["accesses"], stops: 1 },
      { quiet: true, phases: ["accesses"], stops: 1 },
    ]);
  });

  it("sweep: one progress over the points, one update a point, stopped at the end", async () => {
    expect((await cli("sweep", "examples/demand-paging.yaml", "--frames", "8,16", "--policies", "fifo", "--workers", "1", "--json")).code).toBe(0);
    expect(made).toMatchObject([{ quiet: true, phases: ["sweep points"], updates: 2, stops: 1 }]);
  });
});
