/**
 * Quiz mode: the next move's outcome is fetched (and kept hidden) whenever
 * the page stands still; the student's answer is checked against it, and
 * Next move shows it. A new point asks a new question.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { checkAnswer, type AnswerCheck, type MoveOutcome, type QuizAnswer } from "../../sim/timeline/quiz.js";
import type { PlaygroundState } from "../protocol.js";
import type { WorkerClient } from "../worker-client.js";

export function useQuiz(worker: WorkerClient, state: PlaygroundState | null, playing: boolean, seek: (to: number, unit: "move") => Promise<void>, initial: boolean) {
  const [quiz, setQuiz] = useState(initial);
  const [outcome, setOutcome] = useState<MoveOutcome | null>(null);
  const [check, setCheck] = useState<AnswerCheck | null>(null);
  useNextOutcome(worker, quiz && !playing ? state : null, outcome, setOutcome);
  useEffect(() => setCheck(null), [state?.position]);
  const reset = useCallback(() => {
    setOutcome(null);
    setCheck(null);
  }, []);
  const answer = (a: QuizAnswer) => {
    if (outcome !== null) setCheck(checkAnswer(a, outcome));
  };
  const next = () => {
    if (outcome !== null) void seek(outcome.move, "move");
  };
  const turn = (on: boolean) => {
    setQuiz(on);
    reset();
  };
  /** The outcome asked about at this point, or null. */
  const pending = quiz && state !== null && outcome?.move === state.position + 1 ? outcome : null;
  return { quiz, check, pending, hidden: pending !== null && check === null, reset, answer, next, turn };
}

/** Asks the worker for the move after `state` (made there and kept), unless it is known or being asked; null: do not ask. */
function useNextOutcome(worker: WorkerClient, state: PlaygroundState | null, outcome: MoveOutcome | null, setOutcome: (o: MoveOutcome) => void): void {
  const asking = useRef(-1);
  const [retry, setRetry] = useState(0);
  useEffect(() => {
    if (state === null || state.position >= state.totalMoves) return;
    if (outcome?.move === state.position + 1 || asking.current === state.position) return;
    const at = state.position;
    asking.current = at;
    void worker.request({ type: "seek", to: at, unit: "move" }).then(() =>
      worker.request({ type: "predict" }).then((r) => {
        asking.current = -1;
        if (r.type === "predicted" && r.outcome.move === at + 1) setOutcome(r.outcome);
        else setRetry((n) => n + 1); // the page moved on meanwhile: ask again about where it is now
      }),
    );
  }, [state, outcome, worker, retry]);
}
