/**
 * The page's first run: the link's, or the demo. A link to a trace cannot
 * carry the trace: the demo runs, and the page asks for the file.
 */
import { useEffect } from "preact/hooks";
import type { PolicyName } from "../../kernel/replacement/index.js";
import { laneChoice, parseFrames } from "../lanes.js";
import type { InputProblem, RunRequest, RunSource } from "../protocol.js";
import type { ViewLink } from "../url-state.js";
import { editorFor } from "./use-run-choice.js";

export function useFirstRun(link: ViewLink | null, load: (run: RunRequest, at?: number) => Promise<void>, setSource: (source: string) => void, setProblem: (p: InputProblem) => void): void {
  useEffect(() => {
    if (link?.source.startsWith("trace:") === true) {
      setSource("demo");
      setProblem({ message: `the link is to the trace ${link.source.slice("trace:".length)}: upload it to see it (the link does not carry the file)`, line: null });
      void load({ source: { kind: "scenario", ...editorFor("demo") }, policies: [] });
      return;
    }
    const seedValue = link?.seed ?? undefined;
    const counts = parseFrames(link?.frames ?? "");
    const choice = laneChoice((link?.policies ?? []) as PolicyName[], typeof counts === "string" ? [] : counts);
    void load({ source: linkedSource(link), ...(typeof choice === "string" ? { policies: [] } : choice), ...(seedValue === undefined ? {} : { seed: seedValue }) }, link?.position ?? 0);
  }, []);
}

/** What the link runs (the demo without one). */
function linkedSource(link: ViewLink | null): RunSource {
  if (link?.source.startsWith("refs:") === true) return { kind: "refs", text: link.source.slice("refs:".length) };
  if (link?.source.startsWith("preset:") === true) return { kind: "preset", name: "belady" };
  const src = editorFor(link?.source ?? "demo");
  return { kind: "scenario", file: src.file, text: src.text };
}
