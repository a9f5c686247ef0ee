/** The worker's session: what it refuses before running anything, and what a jump's message carries. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Session } from "../../src/web/worker/session.js";
import { SeriesReceiver, SeriesSender } from "../../src/web/series-patch.js";

const open = (text: string, file = "big.yaml") => Session.open({ source: { kind: "scenario", file, text }, policies: [] }, () => undefined);

describe("worker session", () => {
  it("refuses a run past the command line's limit in its words, and one past the playground's in the same form", async () => {
    const past = (times: number, count: number) =>
      `processes:\n  - name: a\n    steps:\n      - brk: +4K\n      - repeat: {times: ${times}, steps: [{touch: {at: heap, length: 4K, pattern: random, count: ${count}}}]}\n`;
    await expect(open(past(100_000, 200_000))).rejects.toThrow(/^big\.yaml: about 20 billion accesses, more than the 10 billion .*pass --force/);
    await expect(open(past(30, 1_000_000))).rejects.toThrow(/^big\.yaml: about 30 million accesses, more than the 20 million the playground explores/);
  });

  it("sends the page tables of the processes shown only, and the charts' samples as patches that rebuild them exactly", async () => {
    const session = await open(readFileSync("examples/swapping.yaml", "utf8"), "examples/swapping.yaml");
    const total = session.loaded().totalMoves;
    const sender = new SeriesSender();
    const receiver = new SeriesReceiver();
    let patched = 0;
    let whole = 0;
    for (const to of [total, Math.floor(total / 3), Math.floor(total / 2), 1, total - 1, Math.floor(total / 2) + 7]) {
      session.seek(to, "move");
      const full = session.state({ 1: true });
      const sent = sender.send(full);
      expect(receiver.receive(JSON.parse(JSON.stringify(sent)) as typeof sent).lanes.map((l) => l.series)).toEqual(full.lanes.map((l) => l.series));
      patched += sent.lanes[0].series.more.length;
      whole += full.lanes[0].series.length;
      const defaults = session.shown({});
      for (const p of defaults.view.processes) {
        const shown = p.current || defaults.view.processes.length === 1;
        const all = full.view.processes.find((q) => q.pid === p.pid)!;
        expect(p.pdes).toEqual(shown ? all.pdes : []);
      }
    }
    expect(patched).toBeLessThan(whole);
    session.close();
  });

  it("a point reached after the page read inspect's object at a step boundary is the run's (reading a never-scheduled process's page directory loads no CR3)", async () => {
    // 40 children, not 1,000: children forked and never yet scheduled stand at each of the first steps' ends all
    // the same, and each fresh session below explores the whole run (1.5 s for 1,000 children, 0.15 s for 40).
    // Loading CR3 for them when their page directory is read (the bug this guards against) still fails it.
    const text = readFileSync("examples/many-forks.yaml", "utf8").replace("{times: 1000,", "{times: 40,");
    expect(text).toContain("{times: 40,");
    const shown = await open(text, "examples/many-forks.yaml");
    for (let step = 1; step < 8; step++) {
      shown.seek(step, "step");
      const to = shown.state().position + 200;
      shown.seek(to, "move");
      // A session that read nothing before (reading at `to` itself is after the view is built).
      const fresh = await open(text, "examples/many-forks.yaml");
      fresh.seek(to, "move");
      expect(JSON.stringify(shown.state().view)).toBe(JSON.stringify(fresh.state().view));
      fresh.close();
    }
    shown.close();
  });
});
