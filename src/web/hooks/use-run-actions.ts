/**
 * What the side panel's buttons do: run the chosen scenario, run the typed
 * reference string, upload a trace, pick from the menu; each asks for the
 * lanes first and shows their problem instead of running.
 */
import type { LaneChoice } from "../lanes.js";
import type { RunRequest } from "../protocol.js";
import type { RunChoice } from "./use-run-choice.js";
import type { TimelineControl } from "./use-timeline.js";

export function useRunActions(choice: RunChoice, timeline: Pick<TimelineControl, "setProblem">, load: (run: RunRequest, at?: number) => Promise<void>) {
  const seeded = choice.seedValue === undefined ? {} : { seed: choice.seedValue };
  /** The lanes asked for, or null with their problem shown. */
  const lanes = (): LaneChoice | null => {
    const lanes = choice.lanes();
    if (typeof lanes !== "string") return lanes;
    timeline.setProblem({ message: lanes, line: null });
    return null;
  };
  const run = () => {
    const asked = lanes();
    if (asked !== null) void load({ source: choice.runSource(), ...asked, ...seeded });
  };
  const runRefs = () => {
    const asked = lanes();
    if (asked === null) return;
    choice.setSource(`refs:${choice.refs}`);
    void load({ source: { kind: "refs", text: choice.refs }, ...asked, ...seeded });
  };
  const onTrace = (file: File) => {
    const chosen = performance.now();
    const asked = lanes();
    if (asked === null) return;
    void file.arrayBuffer().then(async (bytes) => {
      choice.setSource(`trace:${file.name}`);
      await load({ source: { kind: "trace", name: file.name, bytes }, ...asked });
      // How long the trace took to read and replay, for the bench (bench/playground.bench.ts).
      document.body.dataset.traceMs = (performance.now() - chosen).toFixed(0);
    });
  };
  const onSource = (next: string) => {
    choice.choose(next);
    timeline.setProblem(null);
  };
  return { run, runRefs, onTrace, onSource };
}
