/** The main side of the page: the load's progress, time travel's controls, the quiz, the lanes and the views. */
import type { TimelineControl } from "../hooks/use-timeline.js";
import type { usePlay } from "../hooks/use-play.js";
import type { useQuiz } from "../hooks/use-quiz.js";
import { Lanes } from "./Lanes.js";
import { ProgressBar } from "./ProgressBar.js";
import { QuizPanel } from "./QuizPanel.js";
import { Transport } from "./Transport.js";
import { ViewsGrid, type ViewsGridProps } from "./ViewsGrid.js";

export interface RunViewProps {
  readonly timeline: TimelineControl;
  readonly play: ReturnType<typeof usePlay>;
  readonly quiz: ReturnType<typeof useQuiz>;
  readonly views: Omit<ViewsGridProps, "state" | "busy" | "tables" | "onTables">;
}

export function RunView(p: RunViewProps) {
  const { timeline, play, quiz } = p;
  const { state, loaded, busy } = timeline;
  return (
    <main class="main">
      {busy && <ProgressBar progress={timeline.progress} />}
      {state !== null && loaded !== null && (
        <>
          <Transport
            position={state.position}
            totalMoves={state.totalMoves}
            step={state.step}
            totalSteps={state.totalSteps}
            where={state.where}
            midStep={state.midStep}
            playing={play.playing}
            speed={play.speed}
            marks={loaded.lanes[0].faultMarks}
            busy={busy}
            onSeek={(to, unit) => void timeline.seek(to, unit)}
            onMove={timeline.moveBy}
            onStep={timeline.stepBy}
            onPlay={play.setPlaying}
            onSpeed={play.setSpeed}
          />
          {quiz.quiz && <QuizPanel outcome={quiz.pending} atEnd={state.position >= state.totalMoves} check={quiz.check} onAnswer={quiz.answer} onNext={quiz.next} />}
          <Lanes lanes={state.lanes} />
          <ViewsGrid {...p.views} state={state} busy={busy} tables={timeline.tables} onTables={timeline.showTables} />
          {quiz.hidden && <p class="muted">The views show the point before the move you are asked about.</p>}
        </>
      )}
    </main>
  );
}
