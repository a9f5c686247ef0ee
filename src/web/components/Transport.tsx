/**
 * Time travel's controls: back and forward by one move or one scenario
 * step, to the start and the end, play and pause at a chosen speed, and a
 * scrubber over the whole run with a tick for every fault. The keys:
 * ← →  one move, Shift+← →  one step, Space play/pause, Home/End.
 */
import type { PlaygroundState } from "../protocol.js";
import { useMemo } from "preact/hooks";
import { count } from "./format.js";

export const SPEEDS = [1, 10, 100, 1000, 10000] as const;

/** Where the run is (a PlaygroundState's fields) and how it plays. */
export interface TransportProps extends Pick<PlaygroundState, "position" | "totalMoves" | "step" | "totalSteps" | "where" | "midStep"> {
  readonly playing: boolean;
  readonly speed: number;
  readonly marks: readonly number[];
  readonly busy: boolean;
  onSeek(to: number, unit: "move" | "step"): void;
  /** By moves or scenario steps from the point last asked for (clicks faster than the worker add up). */
  onMove(dir: number): void;
  onStep(dir: number): void;
  onPlay(playing: boolean): void;
  onSpeed(speed: number): void;
}

export function Transport(p: TransportProps) {
  // The same element while the run is the same: Preact skips it, not diffing a line per fault at every move.
  const marks = useMemo(() => <FaultMarks marks={p.marks} totalMoves={p.totalMoves} />, [p.marks, p.totalMoves]);
  return (
    <section class="panel transport" aria-label="time travel">
      <TransportButtons {...p} />
      <div class="scrubber">
        {marks}
        <input
          type="range"
          min={0}
          max={p.totalMoves}
          value={p.position}
          aria-label="position in the run (moves)"
          onInput={(e) => p.onSeek(Number((e.target as HTMLInputElement).value), "move")}
        />
      </div>
      <p class="position" aria-live="polite" data-testid="position">
        move <b data-testid="move">{count(p.position)}</b> of {count(p.totalMoves)}
        {p.totalSteps > 0 && (
          <>
            {" "}· step <b data-testid="step">{p.step}</b> of {p.totalSteps}
          </>
        )}{" "}
        · {p.where}
        {p.busy && <span class="busy"> · working…</span>}
      </p>
    </section>
  );
}

/** Back and forward by a move or a step, to the start and the end, play and pause, and the speed. */
function TransportButtons(p: TransportProps) {
  const atStart = p.position <= 0;
  const atEnd = p.position >= p.totalMoves;
  return (
    <div class="buttons">
      <button type="button" onClick={() => p.onSeek(0, "move")} disabled={atStart} aria-label="to the start" title="Home">|◀</button>
      <button type="button" onClick={() => p.onStep(-1)} disabled={atStart} aria-label="back one step" title="Shift+←">◀ step</button>
      <button type="button" onClick={() => p.onMove(-1)} disabled={atStart} aria-label="back one move" title="←">◀</button>
      <button type="button" class="play" onClick={() => p.onPlay(!p.playing)} disabled={atEnd && !p.playing} aria-label={p.playing ? "pause" : "play"} title="Space">
        {p.playing ? "pause" : "play"}
      </button>
      <button type="button" onClick={() => p.onMove(1)} disabled={atEnd} aria-label="forward one move" title="→">▶</button>
      <button type="button" onClick={() => p.onStep(1)} disabled={atEnd} aria-label="forward one step" title="Shift+→">step ▶</button>
      <button type="button" onClick={() => p.onSeek(p.totalMoves, "move")} disabled={atEnd} aria-label="to the end" title="End">▶|</button>
      <label>
        speed{" "}
        {/* A string, as the select's own value is: a number differs from it, and Preact would select the option again at every move. */}
        <select value={String(p.speed)} onChange={(e) => p.onSpeed(Number((e.target as HTMLSelectElement).value))} aria-label="moves per second">
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {count(s)} moves/s
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** A tick on the scrubber's scale at each fault's move. */
function FaultMarks(props: { marks: readonly number[]; totalMoves: number }) {
  const scale = 1000 / Math.max(1, props.totalMoves);
  return (
    <svg class="marks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
      {props.marks.map((m, i) => (
        <line key={i} x1={m * scale} x2={m * scale} y1="0" y2="10" />
      ))}
    </svg>
  );
}
