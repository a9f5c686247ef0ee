/**
 * The playground page: what to run and its YAML on one side, time travel
 * and the views of the run on the other. The state lives in hooks here
 * (hooks/) and flows down to the views; the views only say what the
 * student picked. The worker holds the runs; the page asks it to load,
 * check, seek and predict.
 */
import { useRef, useState } from "preact/hooks";
import type { MrcResult } from "../sim/mrc/curve.js";
import type { RunRequest } from "./protocol.js";
import { decodeLink, encodeLink } from "./url-state.js";
import { WorkerClient } from "./worker-client.js";
import type { Selection } from "./components/selection.js";
import { RunView } from "./components/RunView.js";
import { SidePanel } from "./components/SidePanel.js";
import { useAddressBar } from "./hooks/use-address-bar.js";
import { useEditorCheck } from "./hooks/use-editor-check.js";
import { useFirstRun } from "./hooks/use-first-run.js";
import { useKeys } from "./hooks/use-keys.js";
import { usePlay } from "./hooks/use-play.js";
import { useQuiz } from "./hooks/use-quiz.js";
import { useRunActions } from "./hooks/use-run-actions.js";
import { inspectOptions, useRunChoice } from "./hooks/use-run-choice.js";
import { useTimeline } from "./hooks/use-timeline.js";

export function App() {
  const worker = useWorker();
  const initial = useRef(decodeLink(location.hash)).current;
  const choice = useRunChoice(initial);
  const timeline = useTimeline(worker);
  const play = usePlay(timeline.state, timeline.seek);
  const quiz = useQuiz(worker, timeline.state, play.playing, timeline.seek, initial?.quiz ?? false);
  const [selection, setSelection] = useState<Selection>(null);
  const [mrc, setMrc] = useState<MrcResult | null>(null);
  const load = async (run: RunRequest, at = 0) => {
    play.setPlaying(false);
    quiz.reset();
    if (!(await timeline.load(run, at))) return;
    setMrc(null);
    setSelection(null);
  };
  useFirstRun(initial, load, choice.setSource, timeline.setProblem);
  useEditorCheck(worker, choice.editor, choice.edited, timeline.setProblem);
  useKeys(timeline, play.setPlaying);
  const actions = useRunActions(choice, timeline, load);
  const state = timeline.state;
  const link = state === null ? "" : encodeLink({ source: choice.linkSource, policies: choice.policies, frames: choice.frames, seed: choice.linkSeed, position: state.position, quiz: quiz.quiz });
  useAddressBar(link);
  const computeMrc = () => {
    timeline.setBusy(true);
    void worker.request({ type: "mrc" }).then((r) => {
      timeline.setBusy(false);
      if (r.type === "mrc") setMrc(r.result);
      else timeline.accept(r);
    });
  };
  const views = { selection, onSelect: setSelection, mrc, onMrc: computeMrc, file: choice.editor.file, inspectOptions: inspectOptions(choice) };
  return (
    <div class="page">
      <header>
        <h1>vmm386 playground</h1>
        <p class="tagline">The EYN-OS kernel's VMM on a simulated i386, running in your browser — go back in time to any access.</p>
      </header>
      <div class="layout">
        <SidePanel choice={choice} actions={actions} busy={timeline.busy} quiz={quiz.quiz} problem={timeline.problem} loaded={timeline.loaded} onQuiz={quiz.turn} onShare={() => void navigator.clipboard?.writeText(new URL(link, location.href).href)} />
        <RunView timeline={timeline} play={play} quiz={quiz} views={views} />
      </div>
    </div>
  );
}

/** The page's worker, made once. */
function useWorker(): WorkerClient {
  const client = useRef<WorkerClient | null>(null);
  client.current ??= new WorkerClient();
  return client.current;
}
