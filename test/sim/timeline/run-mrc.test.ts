/** A run's miss-ratio curves are the textbook's on Belady's string: LRU and OPT, which never rise with more frames. */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/sim/scenario/parse.js";
import { scenarioMissRatioCurves } from "../../../src/sim/timeline/run-mrc.js";
import { scenarioConfig } from "../../../src/sim/timeline/scenario-timeline.js";
import { PRESETS } from "../../../src/web/worker/presets.js";

describe("run miss-ratio curves", () => {
  it("on 1,2,3,4,1,2,5,1,2,3,4,5: LRU misses 10 and 8 with 3 and 4 frames, OPT 7 and 6", () => {
    const scenario = parseScenario(PRESETS.belady.text, PRESETS.belady.file);
    const r = scenarioMissRatioCurves(scenario, scenarioConfig(scenario));
    expect(r.references).toBe(12);
    expect(r.distinctPages).toBe(5);
    expect(r.curves.map((c) => [c.policy, c.points.map((p) => p.misses)])).toEqual([
      ["lru", [12, 12, 10, 8, 5]],
      ["opt", [12, 9, 7, 6, 5]],
    ]);
  });
});
