/**
 * The playground page: what to run and its YAML on one side, time travel
 * and the views of the run on the other. All state lives here and flows
 * down to the views; the views only say what the student picked. The
 * worker holds the runs; the page asks it to load, check, seek and predict.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { PolicyName } from "../kernel/replacement/index.js";
import { DEMO_SCENARIO } from "../sim/scenario/demo-scenario.js";
import { checkAnswer, type AnswerCheck, type MoveOutcome, type QuizAnswer } from "../sim/timeline/quiz.js";
import { EXAMPLES } from "./examples.js";
import type { InputProblem, Loaded, PlaygroundState, Reply, RunRequest, RunSource } from "./protocol.js";
import { decodeLink, encodeLink, yamlSource, yamlText } from "./url-state.js";
import { WorkerClient } from "./worker-client.js";
import { laneChoice, parseFrames, type LaneChoice } from "./lanes.js";
import type { TableChoices } from "./table-choice.js";
import { FaultLog } from "./components/FaultLog.js";
import { FrameMap } from "./components/FrameMap.js";
import { Lanes } from "./components/Lanes.js";
import { LiveCharts } from "./components/LiveCharts.js";
import { PageTableView } from "./components/PageTableView.js";
import { QuizPanel } from "./components/QuizPanel.js";
import { RunPicker } from "./components/RunPicker.js";
import { ScenarioEditor } from "./components/ScenarioEditor.js";
import { SwapMap } from "./components/SwapMap.js";
import { TlbView } from "./components/TlbView.js";
import { Transport } from "./components/Transport.js";
import { VmStatView } from "./components/VmStatView.js";
import { PolicyLists } from "./components/PolicyLists.js";
import { InspectJson } from "./components/InspectJson.js";
import { MrcView } from "./components/MrcView.js";
import type { MrcResult } from "../sim/mrc/curve.js";
import type { Selection } from "./components/selection.js";
import { PRESETS } from "./worker/presets.js";
import { ProgressBar, type LoadProgress } from "./components/ProgressBar.js";

/** How often a playing run asks for its next point. */
const PLAY_TICK_MS = 50;
/** The address bar follows the page this long after it last moved. */
const LINK_QUIET_MS = 150;

interface Editor {
  readonly file: string;
  readonly text: string;
}

/** The editor's contents for a menu entry. */
function editorFor(source: string): Editor {
  if (source === "demo") return { file: "<demo>", text: DEMO_SCENARIO.replace(/^\n/, "") };
  if (source.startsWith("example:")) {
    const x = EXAMPLES.find((e) => `example:${e.name}` === source);
    if (x !== undefined) return { file: x.file, text: x.text };
  }
  if (source === "preset:belady") return { file: PRESETS.belady.file, text: PRESETS.belady.text };
  if (source.startsWith("yaml:")) return { file: "scenario.yaml", text: yamlText(source) };
  return { file: "<demo>", text: DEMO_SCENARIO.replace(/^\n/, "") };
}

export function App() {
  const client = useRef<WorkerClient | null>(null);
  client.current ??= new WorkerClient();
  const worker = client.current;

  const initial = useRef(decodeLink(location.hash));
  const [source, setSource] = useState(initial.current?.source ?? "demo");
  const [editor, setEditor] = useState<Editor>(() => editorFor(initial.current?.source ?? "demo"));
  const [edited, setEdited] = useState(false);
  const [policies, setPolicies] = useState<string[]>([...(initial.current?.policies ?? [])]);
  const [frames, setFrames] = useState(initial.current?.frames ?? "");
  const [refs, setRefs] = useState(initial.current?.source.startsWith("refs:") === true ? initial.current.source.slice("refs:".length) : "");
  const [seed, setSeed] = useState(initial.current?.seed === null || initial.current === null ? "" : String(initial.current.seed));
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [state, setState] = useState<PlaygroundState | null>(null);
  const [problem, setProblem] = useState<InputProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(100);
  const [selection, setSelection] = useState<Selection>(null);
  const [quiz, setQuiz] = useState(initial.current?.quiz ?? false);
  const [outcome, setOutcome] = useState<MoveOutcome | null>(null);
  const [check, setCheck] = useState<AnswerCheck | null>(null);
  const [mrc, setMrc] = useState<MrcResult | null>(null);
  const [tables, setTables] = useState<TableChoices>({});

  const accept = useCallback((reply: Reply): boolean => {
    if (reply.type === "problem") {
      setProblem(reply.problem);
      return false;
    }
    if (reply.type === "state" || reply.type === "loaded" || reply.type === "predicted") setState(reply.state);
    if (reply.type === "state" && reply.timing !== undefined) document.body.dataset.workerMs = (reply.timing.seekMs + reply.timing.viewMs).toFixed(1);
    return true;
  }, []);

  const runSource = useCallback((): RunSource => {
    if (source.startsWith("preset:") && !edited) return { kind: "preset", name: "belady" };
    if (source.startsWith("refs:") && !edited) return { kind: "refs", text: source.slice("refs:".length) };
    return { kind: "scenario", file: editor.file, text: editor.text };
  }, [source, edited, editor]);

  const load = useCallback(
    async (run: RunRequest, at = 0) => {
      setBusy(true);
      setPlaying(false);
      setProgress(null);
      setOutcome(null);
      setCheck(null);
      const reply = await worker.request({ type: "load", run }, (what, done, total) => setProgress({ what, done, total }));
      setBusy(false);
      setProgress(null);
      if (reply.type !== "loaded") {
        accept(reply);
        return;
      }
      setProblem(null);
      wanted.current = null;
      wantedStep.current = null;
      setLoaded(reply.loaded);
      setMrc(null);
      setState(reply.state);
      setSelection(null);
      if (at > 0) accept(await worker.request({ type: "seek", to: at, unit: "move" }));
    },
    [worker, accept],
  );

  // The lanes asked for (policies × frame counts), or a problem shown instead of running.
  const lanes = useCallback((): LaneChoice | null => {
    const counts = parseFrames(frames);
    const choice = typeof counts === "string" ? counts : laneChoice(policies as PolicyName[], counts);
    if (typeof choice !== "string") return choice;
    setProblem({ message: choice, line: null });
    return null;
  }, [frames, policies]);

  const seedValue = /^\d+$/.test(seed.trim()) ? Number(seed.trim()) : undefined;
  const run = useCallback(() => {
    const choice = lanes();
    if (choice !== null) void load({ source: runSource(), ...choice, ...(seedValue === undefined ? {} : { seed: seedValue }) });
  }, [load, runSource, lanes, seedValue]);

  const runRefs = useCallback(() => {
    const choice = lanes();
    if (choice === null) return;
    setSource(`refs:${refs}`);
    void load({ source: { kind: "refs", text: refs }, ...choice, ...(seedValue === undefined ? {} : { seed: seedValue }) });
  }, [load, lanes, refs, seedValue]);

  // The first run: the link's, or the demo (a trace's link cannot carry the trace: it asks for it).
  useEffect(() => {
    const link = initial.current;
    if (link?.source.startsWith("trace:") === true) {
      setSource("demo");
      setProblem({ message: `the link is to the trace ${link.source.slice("trace:".length)}: upload it to see it (the link does not carry the file)`, line: null });
      void load({ source: { kind: "scenario", file: "<demo>", text: DEMO_SCENARIO.replace(/^\n/, "") }, policies: [] });
      return;
    }
    const seedValue = link?.seed ?? undefined;
    const src = editorFor(link?.source ?? "demo");
    const isPreset = link?.source.startsWith("preset:") ?? false;
    const counts = parseFrames(link?.frames ?? "");
    const choice = laneChoice((link?.policies ?? []) as PolicyName[], typeof counts === "string" ? [] : counts);
    const source: RunSource = link?.source.startsWith("refs:") === true ? { kind: "refs", text: link.source.slice("refs:".length) } : isPreset ? { kind: "preset", name: "belady" } : { kind: "scenario", file: src.file, text: src.text };
    void load({ source, ...(typeof choice === "string" ? { policies: [] } : choice), ...(seedValue === undefined ? {} : { seed: seedValue }) }, link?.position ?? 0);
  }, []);

  // The editor is checked as it is typed (the worker parses; the page waits 250 ms of quiet).
  useEffect(() => {
    if (!edited) return;
    const timer = setTimeout(() => {
      void worker.request({ type: "check", file: editor.file, text: editor.text }).then((r) => {
        if (r.type === "checked") setProblem(r.problem);
      });
    }, 250);
    return () => clearTimeout(timer);
  }, [editor, edited, worker]);

  // The move or step last asked for, so that keys and clicks faster than the worker answers add up.
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

  // Playing: a seek every tick, as far as the speed says, waiting for each reply.
  useEffect(() => {
    if (!playing || state === null) return;
    if (state.position >= state.totalMoves) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => void seek(state.position + Math.max(1, Math.round((speed * PLAY_TICK_MS) / 1000)), "move"), PLAY_TICK_MS);
    return () => clearTimeout(timer);
  }, [playing, state, speed, seek]);

  // Quiz: the next move's outcome is fetched (and kept hidden) whenever the page stands still.
  const asking = useRef(-1);
  const [retry, setRetry] = useState(0);
  useEffect(() => {
    if (!quiz || state === null || playing || state.position >= state.totalMoves) return;
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
  }, [quiz, state, playing, outcome, worker, retry]);

  // The link says what is on screen once the page stands still for LINK_QUIET_MS: replaceState took a few ms of every
  // jump, and Chromium refuses more than 200 of them in 10 s (a run playing). Copy link copies `link` itself.
  const link = state === null ? "" : encodeLink({ source: edited || source === "custom" ? yamlSource(editor.text) : source, policies, frames, seed: /^\d+$/.test(seed) ? Number(seed) : null, position: state.position, quiz });
  useEffect(() => {
    if (link === "") return;
    const timer = setTimeout(() => history.replaceState(null, "", link), LINK_QUIET_MS);
    return () => clearTimeout(timer);
  }, [link]);

  // Keys: ← → one move, Shift one step, Space play/pause, Home/End. The handler reads the newest
  // state from a ref: effects run after paint, and a key pressed before must not act on the old one.
  const latest = useRef(state);
  latest.current = state;
  /** `dir` moves on from the move last asked for (or shown). */
  const moveBy = useCallback(
    (dir: number) => {
      const s = latest.current;
      if (s === null) return;
      const from = Math.max(0, Math.min(wanted.current ?? s.position, s.totalMoves));
      void seek(Math.max(0, Math.min(from + dir, s.totalMoves)), "move");
    },
    [seek],
  );
  /** `dir` scenario steps on from the step last asked for; back from inside a step is to its start. */
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
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      const state = latest.current;
      if (target.closest(".cm-editor, input, select, textarea") !== null || state === null) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        const dir = e.key === "ArrowLeft" ? -1 : 1;
        if (e.shiftKey) stepBy(dir);
        else moveBy(dir);
      } else if (e.key === " " && target.tagName !== "BUTTON") {
        e.preventDefault();
        setPlaying((p) => !p);
      } else if (e.key === "Home") void seek(0, "move");
      else if (e.key === "End") void seek(state.totalMoves, "move");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [seek, moveBy, stepBy]);

  const onSource = (next: string) => {
    setSource(next);
    setEditor(editorFor(next));
    setEdited(false);
    setProblem(null);
  };

  const onTrace = (file: File) => {
    const chosen = performance.now();
    const choice = lanes();
    if (choice === null) return;
    void file.arrayBuffer().then(async (bytes) => {
      setSource(`trace:${file.name}`);
      await load({ source: { kind: "trace", name: file.name, bytes }, ...choice });
      // How long the trace took to read and replay, for the bench (bench/playground.bench.ts).
      document.body.dataset.traceMs = (performance.now() - chosen).toFixed(0);
    });
  };

  // The worker sends the entries of the tables shown only: a choice asks for the point again.
  const showTables = (choices: TableChoices) => {
    setTables(choices);
    void worker.request({ type: "tables", choices }).then(accept);
  };

  const computeMrc = () => {
    setBusy(true);
    void worker.request({ type: "mrc" }).then((r) => {
      setBusy(false);
      if (r.type === "mrc") setMrc(r.result);
      else accept(r);
    });
  };

  const answer = (a: QuizAnswer) => {
    if (outcome !== null) setCheck(checkAnswer(a, outcome));
  };
  // A new point asks a new question.
  useEffect(() => setCheck(null), [state?.position]);
  const next = () => {
    if (outcome !== null) void seek(outcome.move, "move");
  };

  // The first lane's settings as the command line's options, for the inspect command shown.
  const firstFrames = parseFrames(frames);
  const inspectOptions = [
    ...(policies.length > 0 ? ["--policy", policies[0]] : []),
    ...(typeof firstFrames !== "string" && firstFrames.length > 0 ? ["--user-frames", String(firstFrames[0])] : []),
    ...(/^\d+$/.test(seed.trim()) ? ["--seed", seed.trim()] : []),
  ];
  const view = state?.view;
  const names: Record<number, string> = {};
  for (const p of view?.processes ?? []) names[p.pid] = p.name;
  const pending = quiz && state !== null && outcome?.move === state.position + 1 ? outcome : null;
  const hidden = pending !== null && check === null;

  return (
    <div class="page">
      <header>
        <h1>vmm386 playground</h1>
        <p class="tagline">The EYN-OS kernel's VMM on a simulated i386, running in your browser — go back in time to any access.</p>
      </header>
      <div class="layout">
        <aside class="side">
          <RunPicker
            source={edited ? "custom" : source}
            policies={policies}
            seed={seed}
            frames={frames}
            refs={refs}
            busy={busy}
            quiz={quiz}
            onSource={onSource}
            onPolicies={setPolicies}
            onSeed={setSeed}
            onFrames={setFrames}
            onRefs={setRefs}
            onRunRefs={runRefs}
            onRun={run}
            onQuiz={(q) => { setQuiz(q); setOutcome(null); setCheck(null); }}
            onShare={() => void navigator.clipboard?.writeText(new URL(link, location.href).href)}
            onTrace={onTrace}
          />
          <ScenarioEditor text={editor.text} problem={problem} onChange={(text) => { setEditor((e) => ({ ...e, text })); setEdited(true); }} />
          {loaded !== null && (
            <section class="panel machine" aria-label="machine">
              <h2>{loaded.title}</h2>
              <p class="muted">{Object.entries(loaded.machine).map(([k, v]) => `${k} ${String(v)}`).join(" · ")}</p>
            </section>
          )}
        </aside>
        <main class="main">
          {busy && <ProgressBar progress={progress} />}
          {state !== null && loaded !== null && (
            <>
              <Transport
                position={state.position}
                totalMoves={state.totalMoves}
                step={state.step}
                totalSteps={state.totalSteps}
                where={state.where}
                midStep={state.midStep}
                playing={playing}
                speed={speed}
                marks={loaded.lanes[0].faultMarks}
                busy={busy}
                onSeek={(to, unit) => void seek(to, unit)}
                onMove={moveBy}
                onStep={stepBy}
                onPlay={setPlaying}
                onSpeed={setSpeed}
              />
              {quiz && <QuizPanel outcome={pending} atEnd={state.position >= state.totalMoves} check={check} onAnswer={answer} onNext={next} />}
              <Lanes lanes={state.lanes} />
              {view !== undefined && (
                <div class="views">
                  <PageTableView processes={view.processes} choices={tables} onChoices={showTables} selection={selection} onSelect={setSelection} />
                  <FrameMap frames={view.frames} processes={view.processes} selection={selection} onSelect={setSelection} />
                  <TlbView tlb={view.tlb} selection={selection} onSelect={setSelection} />
                  <SwapMap swap={view.swap} processes={view.processes} selection={selection} onSelect={setSelection} />
                  <FaultLog events={view.events} position={state.position} processes={view.processes} onSelect={setSelection} />
                  <VmStatView stats={view.stats} />
                  <PolicyLists lists={view.lists} />
                  <LiveCharts samples={state.lanes[0].series} labels={names} />
                  <MrcView result={mrc} busy={busy} onCompute={computeMrc} />
                  <InspectJson inspect={state.inspect} step={state.step} file={editor.file} options={inspectOptions} />
                </div>
              )}
              {hidden && <p class="muted">The views show the point before the move you are asked about.</p>}
            </>
          )}
        </main>
      </div>
    </div>
  );
}
