/** The side of the page: what to run (RunPicker), its YAML (ScenarioEditor) and the machine it runs on. */
import type { InputProblem, Loaded } from "../protocol.js";
import type { RunChoice } from "../hooks/use-run-choice.js";
import type { useRunActions } from "../hooks/use-run-actions.js";
import { RunPicker } from "./RunPicker.js";
import { ScenarioEditor } from "./ScenarioEditor.js";

export interface SidePanelProps {
  readonly choice: RunChoice;
  readonly actions: ReturnType<typeof useRunActions>;
  readonly busy: boolean;
  readonly quiz: boolean;
  readonly problem: InputProblem | null;
  readonly loaded: Loaded | null;
  onQuiz(quiz: boolean): void;
  onShare(): void;
}

export function SidePanel(p: SidePanelProps) {
  const { choice, actions } = p;
  return (
    <aside class="side">
      <RunPicker
        source={choice.edited ? "custom" : choice.source}
        policies={choice.policies}
        seed={choice.seed}
        frames={choice.frames}
        refs={choice.refs}
        busy={p.busy}
        quiz={p.quiz}
        onSource={actions.onSource}
        onPolicies={choice.setPolicies}
        onSeed={choice.setSeed}
        onFrames={choice.setFrames}
        onRefs={choice.setRefs}
        onRunRefs={actions.runRefs}
        onRun={actions.run}
        onQuiz={p.onQuiz}
        onShare={p.onShare}
        onTrace={actions.onTrace}
      />
      <ScenarioEditor text={choice.editor.text} problem={p.problem} onChange={choice.edit} />
      {p.loaded !== null && <MachinePanel loaded={p.loaded} />}
    </aside>
  );
}

/** The run's title and its machine's settings. */
function MachinePanel(props: { loaded: Loaded }) {
  return (
    <section class="panel machine" aria-label="machine">
      <h2>{props.loaded.title}</h2>
      <p class="muted">{Object.entries(props.loaded.machine).map(([k, v]) => `${k} ${String(v)}`).join(" · ")}</p>
    </section>
  );
}
