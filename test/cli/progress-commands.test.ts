/**
 * How the commands drive their progress: one Progress for the whole command
 * (so the one-second delay counts from its start, not from each phase),
 * quiet with --json, and stopped whether the command succeeds or fails.
 * What the bar draws, and when, is progress.test.ts's business.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

interface Made {
  quiet: boolean;
  /** Each update's label, in order, runs of the same label collapsed. */
  phases: string[];
  updates: number;
  stops: number;
}
const made: Made[] = [];

vi.mock("../../src/cli/progress.js", () => ({
  startProgress: (quiet: boolean) => {
    const m: Made = { quiet, phases: [], updates: 0, stops: 0 };
    made.push(m);
    return {
      update: (label: string) => {
        m.updates++;
        if (m.phases.at(-1) !== label) m.phases.push(label);
      },
      stop: () => void m.stops++,
    };
  },
}));

const { register: registerReplay } = await import("../../src/cli/commands/replay.js");
const { register: registerSweep } = await import("../../src/cli/commands/sweep.js");
const { executeScenario } = await import("../../src/cli/commands/run.js");
const { parseScenario } = await import("../../src/sim/scenario/loader.js");

const TRACE = path.resolve("test/fixtures/traces/tiny-dyn-head.lackey");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-progress-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  made.length = 0;
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function vmm386(register: (program: Command) => void, ...args: string[]): Promise<void> {
  const program = new Command("vmm386").exitOverride();
  register(program);
  await program.parseAsync(args, { from: "user" });
}

describe("commands' progress", () => {
  it("replay: one progress over both passes, reading the trace then replaying it, stopped at the end", async () => {
    await vmm386(registerReplay, "replay", TRACE);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ quiet: false, phases: ["reading trace", "replaying"], stops: 1 });
  });

  it("replay --json: quiet", async () => {
    await vmm386(registerReplay, "replay", TRACE, "--json");
    expect(made.map((m) => m.quiet)).toEqual([true]);
  });

  it("replay: stopped when the trace turns out bad halfway through reading it", async () => {
    const bad = path.join(dir, "bad.lackey");
    fs.writeFileSync(bad, `${fs.readFileSync(TRACE, "utf8")} L zz,4\n`);
    await expect(vmm386(registerReplay, "replay", bad, "--format", "lackey")).rejects.toThrow(/bad\.lackey/);
    expect(made).toHaveLength(1);
    expect(made[0].phases).toEqual(["reading trace"]);
    expect(made[0].stops).toBe(1);
  });

  it("run (and demo): one progress over the accesses, stopped at the end; quiet with --json", () => {
    const scenario = parseScenario(fs.readFileSync("examples/demand-paging.yaml", "utf8"), "demand-paging.yaml");
    executeScenario(scenario, {});
    executeScenario(scenario, { json: true });
    expect(made).toMatchObject([
      { quiet: false, phases: ["accesses"], stops: 1 },
      { quiet: true, phases: ["accesses"], stops: 1 },
    ]);
  });

  it("sweep: one progress over the points, one update a point, stopped at the end", async () => {
    await vmm386(registerSweep, "sweep", "examples/demand-paging.yaml", "--frames", "8,16", "--policies", "fifo", "--workers", "1", "--json");
    expect(made).toMatchObject([{ quiet: true, phases: ["sweep points"], updates: 2, stops: 1 }]);
  });
});
