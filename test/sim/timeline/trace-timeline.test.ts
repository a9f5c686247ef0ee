/**
 * A trace in a timeline is the command line's replay, access for access:
 * run to its end it has replay's counters, and any access reached back from
 * the end has the state a straight run to it has.
 */
import { describe, expect, it } from "vitest";
import { replayTrace } from "../../../src/sim/trace/replay.js";
import { loadTrace, traceTimeline } from "../../../src/sim/timeline/trace-timeline.js";
import { systemConfig } from "../../../src/sim/machine-settings.js";
import { userPageEntries } from "../../../src/sim/scenario/page-map.js";
import type { Stepper } from "../../../src/sim/timeline/stepper.js";

const TRACE = "test/fixtures/traces/busybox-awk-head.lackey.gz";
const config = systemConfig({ ramBytes: 4 << 20, userFrames: 24, policy: "clock" });

function fingerprint(s: Stepper): string {
  const sys = s.system;
  const [p] = sys.processList();
  return JSON.stringify({ moves: s.moves, stats: sys.stats(), entries: p.status.state === "running" ? userPageEntries(sys.machine.memory, p.pdPhys) : [], tlb: sys.machine.mmu.tlb.entries() });
}

describe("trace timeline", () => {
  it("replays as vmm386 replay does, and goes back exactly", async () => {
    const trace = await loadTrace(TRACE);
    const timeline = traceTimeline(trace, config);
    const outline = timeline.explore();
    expect(outline.totalMoves).toBe(trace.accesses);
    timeline.seek(outline.totalMoves);
    const replay = await replayTrace(TRACE, { system: config });
    const end = timeline.current.system.stats();
    expect(end.faults).toEqual(replay.stats.faults);
    // replay's process then exits and frees its frames; the timeline ends after the last access.
    expect({ ...end.vmstat, pgfree: 0 }).toEqual({ ...replay.stats.vmstat, pgfree: 0 });
    expect({ ...end.tlb, flushes: 0 }).toEqual({ ...replay.stats.tlb, flushes: 0 }); // the exit's CR3 load flushes once more
    const faults = outline.events.filter((e) => e.event.type === "fault");
    expect(faults.length).toBe(replay.stats.faults.total);
    for (const at of [1, Math.floor(outline.totalMoves / 3), outline.totalMoves - 1]) {
      timeline.seek(outline.totalMoves);
      timeline.seek(at);
      const back = fingerprint(timeline.current);
      const straight = traceTimeline(trace, config);
      straight.seek(at);
      expect(back).toBe(fingerprint(straight.current));
      straight.close();
    }
    const first = faults[0];
    timeline.seek(first.move - 1);
    timeline.stepCurrent();
    expect(timeline.log.recent(first.move).at(-1)).toEqual(first);
    timeline.close();
  });
});
