/**
 * What the student chose to run: the menu entry, the editor's text (and
 * whether it was edited), the policies, frame counts, reference string and
 * seed, first as the link says. Says what to send the worker (the source,
 * the lanes) and how the choice reads as a link and as inspect's options.
 */
import { useState } from "preact/hooks";
import type { PolicyName } from "../../kernel/replacement/index.js";
import { DEMO_SCENARIO } from "../../sim/scenario/demo-scenario.js";
import { EXAMPLES } from "../examples.js";
import { laneChoice, parseFrames, type LaneChoice } from "../lanes.js";
import type { RunSource } from "../protocol.js";
import { yamlSource, yamlText, type ViewLink } from "../url-state.js";
import { PRESETS } from "../worker/presets.js";

export interface Editor {
  readonly file: string;
  readonly text: string;
}

/** The demo's editor, its text without the template's leading newline. */
const DEMO_EDITOR: Editor = { file: "<demo>", text: DEMO_SCENARIO.replace(/^\n/, "") };

/** The editor's contents for a menu entry (the demo's for "demo" and for what no entry names). */
export function editorFor(source: string): Editor {
  if (source.startsWith("example:")) {
    const x = EXAMPLES.find((e) => `example:${e.name}` === source);
    if (x !== undefined) return { file: x.file, text: x.text };
  }
  if (source === "preset:belady") return { file: PRESETS.belady.file, text: PRESETS.belady.text };
  if (source.startsWith("yaml:")) return { file: "scenario.yaml", text: yamlText(source) };
  return DEMO_EDITOR;
}

export type RunChoice = ReturnType<typeof useRunChoice>;

export function useRunChoice(initial: ViewLink | null) {
  const [source, setSource] = useState(initial?.source ?? "demo");
  const [editor, setEditor] = useState<Editor>(() => editorFor(initial?.source ?? "demo"));
  const [edited, setEdited] = useState(false);
  const [policies, setPolicies] = useState<string[]>([...(initial?.policies ?? [])]);
  const [frames, setFrames] = useState(initial?.frames ?? "");
  const [refs, setRefs] = useState(initial?.source.startsWith("refs:") === true ? initial.source.slice("refs:".length) : "");
  const [seed, setSeed] = useState(initial === null || initial.seed === null ? "" : String(initial.seed));
  const seedValue = /^\d+$/.test(seed.trim()) ? Number(seed.trim()) : undefined;
  const runSource = (): RunSource => {
    if (source.startsWith("preset:") && !edited) return { kind: "preset", name: "belady" };
    if (source.startsWith("refs:") && !edited) return { kind: "refs", text: source.slice("refs:".length) };
    return { kind: "scenario", file: editor.file, text: editor.text };
  };
  /** The lanes asked for (policies × frame counts), or a problem in words. */
  const lanes = (): LaneChoice | string => {
    const counts = parseFrames(frames);
    return typeof counts === "string" ? counts : laneChoice(policies as PolicyName[], counts);
  };
  const choose = (next: string) => {
    setSource(next);
    setEditor(editorFor(next));
    setEdited(false);
  };
  const edit = (text: string) => {
    setEditor((e) => ({ ...e, text }));
    setEdited(true);
  };
  const linkSource = edited || source === "custom" ? yamlSource(editor.text) : source;
  // The link's seed, as the link always read it: the field untrimmed (" 7" runs seed 7 but links none).
  const linkSeed = /^\d+$/.test(seed) ? Number(seed) : null;
  return { source, editor, edited, policies, frames, refs, seed, seedValue, setSource, setPolicies, setFrames, setRefs, setSeed, runSource, lanes, choose, edit, linkSource, linkSeed };
}

/** The first lane's settings as the command line's options, for the inspect command shown. */
export function inspectOptions(choice: RunChoice): string[] {
  const firstFrames = parseFrames(choice.frames);
  return [
    ...(choice.policies.length > 0 ? ["--policy", choice.policies[0]] : []),
    ...(typeof firstFrames !== "string" && firstFrames.length > 0 ? ["--user-frames", String(firstFrames[0])] : []),
    ...(choice.seedValue === undefined ? [] : ["--seed", choice.seed.trim()]),
  ];
}
