/** The worker's session refuses what it cannot show, in the command line's words, before running anything. */
import { describe, expect, it } from "vitest";
import { Session } from "../../src/web/worker/session.js";

const open = (text: string) => Session.open({ source: { kind: "scenario", file: "big.yaml", text }, policies: [] }, () => undefined);

describe("worker session", () => {
  it("refuses a run past the command line's limit in its words, and one past the playground's in the same form", async () => {
    const past = (times: number, count: number) =>
      `processes:\n  - name: a\n    steps:\n      - brk: +4K\n      - repeat: {times: ${times}, steps: [{touch: {at: heap, length: 4K, pattern: random, count: ${count}}}]}\n`;
    await expect(open(past(100_000, 200_000))).rejects.toThrow(/^big\.yaml: about 20 billion accesses, more than the 10 billion .*pass --force/);
    await expect(open(past(30, 1_000_000))).rejects.toThrow(/^big\.yaml: about 30 million accesses, more than the 20 million the playground explores/);
  });
});
