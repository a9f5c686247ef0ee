/**
 * The run the worker holds, as the page sees it: what was loaded, the point
 * shown, the problem to show, and the requests that change them (load,
 * seek, a move or a step on, the page tables shown). Keys and clicks faster
 * than the worker answers add up: the move or step last asked for is kept,
 * and the next goes on from it.
 */
import { useCallback, useRef, useState } from "preact/hooks";
import type { InputProblem, Loaded, PlaygroundState, Reply, RunRequest } from "../protocol.js";
import type { WorkerClient } from "../worker-client.js";
import type { LoadProgress } from "../components/ProgressBar.js";
import type { TableChoices } from "../table-choice.js";

export interface TimelineControl {
  readonly loaded: Loaded | null;
  readonly state: PlaygroundState | null;
  /** The newest state, for handlers that may run before the page is drawn again (a key pressed before an effect). */
  readonly latest: { readonly current: PlaygroundState | null };
  readonly problem: InputProblem | null;
  readonly busy: boolean;
  readonly progress: LoadProgress | null;
  readonly tables: TableChoices;
  setProblem(problem: InputProblem | null): void;
  setBusy(busy: boolean): void;
  /** Shows `reply`: its state, or its problem; false for a problem. */
  accept(reply: Reply): boolean;
  /** Loads `run` and goes to move `at`; whether it loaded. */
  load(run: RunRequest, at?: number): Promise<boolean>;
  seek(to: number, unit: "move" | "step"): Promise<void>;
  /** `dir` moves on from the move last asked for (or shown). */
  moveBy(dir: number): void;
  /** `dir` scenario steps on from the step last asked for; back from inside a step is to its start. */
  stepBy(dir: number): void;
  /** The student's choice of page tables shown: the worker sends the entries of those only, so it asks for the point again. */
  showTables(choices: TableChoices): void;
}

export function useTimeline(worker: WorkerClient): TimelineControl {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [state, setState] = useState<PlaygroundState | null>(null);
  const [problem, setProblem] = useState<InputProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [tables, setTables] = useState<TableChoices>({});
  const latest = useRef(state);
  latest.current = state;
  const accept = useCallback((reply: Reply): boolean => {
    if (reply.type === "problem") {
      setProblem(reply.problem);
      return false;
    }
    if (reply.type === "state" || reply.type === "loaded" || reply.type === "predicted") setState(reply.state);
    if (reply.type === "state" && reply.timing !== undefined) document.body.dataset.workerMs = (reply.timing.seekMs + reply.timing.viewMs).toFixed(1);
    return true;
  }, []);
  const { seek, moveBy, stepBy, forget } = useSeeks(worker, accept, latest);
  const load = useCallback(
    async (run: RunRequest, at = 0): Promise<boolean> => {
      setBusy(true);
      setProgress(null);
      const reply = await worker.request({ type: "load", run }, (what, done, total) => setProgress({ what, done, total }));
      setBusy(false);
      setProgress(null);
      if (reply.type !== "loaded") {
        accept(reply);
        return false;
      }
      setProblem(null);
      forget();
      setLoaded(reply.loaded);
      setState(reply.state);
      if (at > 0) accept(await worker.request({ type: "seek", to: at, unit: "move" }));
      return true;
    },
    [worker, accept, forget],
  );
  const showTables = (choices: TableChoices) => {
    setTables(choices);
    void worker.request({ type: "tables", choices }).then(accept);
  };
  return { loaded, state, latest, problem, busy, progress, tables, setProblem, setBusy, accept, load, seek, moveBy, stepBy, showTables };
}

/** Seeks, and moves and steps on from the move or step last asked for; `forget` drops what was asked (a new run). */
function useSeeks(worker: WorkerClient, accept: (reply: Reply) => boolean, latest: { readonly current: PlaygroundState | null }) {
  const wanted = useRef<number | null>(null);
  const wantedStep = useRef<number | null>(null);
  const seek = useCallback(
    async (to: number, unit: "move" | "step") => {
      wanted.current = unit === "move" ? to : null;
      wantedStep.current = unit === "step" ? to : null;
      accept(await worker.request({ type: "seek", to, unit }));
    },
    [worker, accept],
  );
  const moveBy = useCallback(
    (dir: number) => {
      const s = latest.current;
      if (s === null) return;
      const from = Math.max(0, Math.min(wanted.current ?? s.position, s.totalMoves));
      void seek(Math.max(0, Math.min(from + dir, s.totalMoves)), "move");
    },
    [seek],
  );
  const stepBy = useCallback(
    (dir: number) => {
      const s = latest.current;
      if (s === null) return;
      const asked = wantedStep.current;
      const to = asked !== null ? asked + dir : dir < 0 ? (s.midStep ? s.step : s.step - 1) : s.step + 1;
      void seek(Math.max(0, to), "step");
    },
    [seek],
  );
  const forget = useCallback(() => {
    wanted.current = null;
    wantedStep.current = null;
  }, []);
  return { seek, moveBy, stepBy, forget };
}
