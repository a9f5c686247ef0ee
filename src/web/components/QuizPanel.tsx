/**
 * Quiz mode: before the next move is shown, the student says what it will
 * do — page fault or hit, which rung of the fault ladder, which frame is
 * evicted, which frame the page ends up in — and the page checks the
 * answer against what the real kernel did.
 */
import { useState } from "preact/hooks";
import type { FaultDecision } from "../../kernel/kernel-events.js";
import type { AnswerCheck, MoveOutcome, QuizAnswer } from "../../sim/timeline/quiz.js";
import { hex } from "./format.js";

const DECISIONS: readonly FaultDecision[] = ["demand-zero", "swap-in", "cow", "stack", "heap", "spurious", "segv"];

export interface QuizProps {
  /** The next move's outcome, hidden until answered; null when there is none to guess. */
  readonly outcome: MoveOutcome | null;
  readonly atEnd: boolean;
  readonly check: AnswerCheck | null;
  onAnswer(answer: QuizAnswer): void;
  onNext(): void;
}

export function QuizPanel(p: QuizProps) {
  const fields = useAnswerFields();
  const o = p.outcome;
  if (o === null) {
    return (
      <section class="panel quiz" aria-labelledby="quiz-title">
        <h2 id="quiz-title">Quiz</h2>
        <p class="muted">{p.atEnd ? "Nothing left to guess: the run is over." : "Working out the next move…"}</p>
      </section>
    );
  }
  return (
    <section class="panel quiz" aria-labelledby="quiz-title">
      <h2 id="quiz-title">Quiz: what will move {o.move} do?</h2>
      <p>
        {o.access === null ? "The next move is a step that makes no access." : `${o.access.write ? "Write to" : "Read of"} ${hex(o.access.va)} by pid ${o.access.pid}.`}
      </p>
      {p.check === null ? (
        <QuizForm fields={fields} onAnswer={p.onAnswer} />
      ) : (
        <QuizVerdict check={p.check} onNext={() => { fields.clear(); p.onNext(); }} />
      )}
    </section>
  );
}

/** The answer's fields as typed, kept while the move is asked about (Next move clears them). */
interface AnswerFields {
  readonly fault: "" | "fault" | "hit";
  readonly decision: "" | FaultDecision;
  readonly victim: string;
  readonly frame: string;
  setFault(v: "" | "fault" | "hit"): void;
  setDecision(v: "" | FaultDecision): void;
  setVictim(v: string): void;
  setFrame(v: string): void;
  clear(): void;
}

function useAnswerFields(): AnswerFields {
  const [fault, setFault] = useState<"" | "fault" | "hit">("");
  const [decision, setDecision] = useState<"" | FaultDecision>("");
  const [victim, setVictim] = useState("");
  const [frame, setFrame] = useState("");
  const clear = () => {
    setFault("");
    setDecision("");
    setVictim("");
    setFrame("");
  };
  return { fault, decision, victim, frame, setFault, setDecision, setVictim, setFrame, clear };
}

/** The fields typed as an answer: those left empty are not asked about. */
function answerOf(f: AnswerFields): QuizAnswer {
  return {
    ...(f.fault === "" ? {} : { fault: f.fault === "fault" }),
    ...(f.decision === "" ? {} : { decision: f.decision }),
    ...(f.victim.trim() === "" ? {} : { victim: f.victim.trim() === "none" ? null : parseNumber(f.victim) }),
    ...(f.frame.trim() === "" ? {} : { frame: parseNumber(f.frame) }),
  };
}

/** The questions: fault or hit, the handler's decision, the victim frame and the frame afterwards. */
function QuizForm(props: { fields: AnswerFields; onAnswer(answer: QuizAnswer): void }) {
  const f = props.fields;
  const submit = (e: Event) => {
    e.preventDefault();
    props.onAnswer(answerOf(f));
  };
  return (
    <form onSubmit={submit} class="quiz-form">
      <fieldset>
        <legend>Page fault?</legend>
        <label><input type="radio" name="fault" value="hit" checked={f.fault === "hit"} onChange={() => f.setFault("hit")} /> hit (no fault)</label>
        <label><input type="radio" name="fault" value="fault" checked={f.fault === "fault"} onChange={() => f.setFault("fault")} /> fault</label>
      </fieldset>
      <label>
        handler's decision{" "}
        <select value={f.decision} onChange={(e) => f.setDecision((e.target as HTMLSelectElement).value as FaultDecision | "")} aria-label="handler's decision">
          <option value="">—</option>
          {DECISIONS.map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </label>
      <label>
        victim frame <input value={f.victim} onInput={(e) => f.setVictim((e.target as HTMLInputElement).value)} placeholder="none, 0x1a3, 419" size={10} aria-label="victim frame" />
      </label>
      <label>
        frame afterwards <input value={f.frame} onInput={(e) => f.setFrame((e.target as HTMLInputElement).value)} placeholder="0x1a3" size={10} aria-label="frame afterwards" />
      </label>
      <button type="submit">Check</button>
    </form>
  );
}

/** Each part of the answer against what the kernel did. */
function QuizVerdict(p: { check: AnswerCheck; onNext(): void }) {
  return (
    <div class={`verdict ${p.check.correct ? "right" : "wrong"}`} role="status" data-testid="quiz-verdict">
      <b>{p.check.correct ? "Right!" : "Not quite."}</b>
      <ul>
        {p.check.parts.map((part) => (
          <li key={part.part} class={part.ok ? "right" : "wrong"}>
            {part.part}: you said {part.given}, the kernel did {part.expected}
          </li>
        ))}
      </ul>
      <button type="button" onClick={p.onNext} autoFocus>
        Next move
      </button>
    </div>
  );
}

function parseNumber(text: string): number {
  const t = text.trim().toLowerCase();
  return t.startsWith("0x") ? parseInt(t.slice(2), 16) : Number(t);
}
