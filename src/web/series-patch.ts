/**
 * The charts' samples travel as patches: the worker sends, per lane, how
 * many of the samples it sent last still stand and the ones that follow
 * (protocol.ts, SeriesPatch); the page keeps the samples and applies them.
 * A sample is compared by its content (runs are deterministic, so a parked
 * run's sample and another's at the same point are equal but not the same
 * object), each stringified once. Every state the worker sends reaches the
 * page (WorkerClient), so both sides always hold the same samples.
 */
import type { Sample } from "../sim/recorder.js";
import type { LaneState, PlaygroundState, SentState, SeriesPatch } from "./protocol.js";

/** The worker's side: what it last sent of each lane. */
export class SeriesSender {
  private sent: (readonly Sample[])[] = [];
  private readonly text = new WeakMap<Sample, string>();

  /** `state` as sent: each lane's samples as a patch of what was sent before. */
  send(state: PlaygroundState): SentState {
    const lanes = state.lanes.map((lane, i) => ({ ...lane, series: this.patch(i, lane.series) }));
    this.sent = state.lanes.map((lane) => lane.series.slice());
    return { ...state, lanes };
  }

  private patch(lane: number, now: readonly Sample[]): SeriesPatch {
    const before = this.sent[lane] ?? [];
    let keep = 0;
    while (keep < before.length && keep < now.length && this.same(before[keep], now[keep])) keep++;
    return { keep, more: now.slice(keep) };
  }

  private same(a: Sample, b: Sample): boolean {
    return a === b || this.textOf(a) === this.textOf(b);
  }

  private textOf(s: Sample): string {
    let t = this.text.get(s);
    if (t === undefined) this.text.set(s, (t = JSON.stringify(s)));
    return t;
  }
}

/** The page's side: the samples each lane holds, patched by every state received. */
export class SeriesReceiver {
  private held: (readonly Sample[])[] = [];

  /** `sent` with each lane's samples whole. An unchanged series stays the same array (the charts redraw on a new one). */
  receive(sent: SentState): PlaygroundState {
    const lanes = sent.lanes.map((lane, i): LaneState => ({ ...lane, series: this.apply(i, lane.series) }));
    this.held = lanes.map((l) => l.series);
    return { ...sent, lanes };
  }

  private apply(lane: number, patch: SeriesPatch): readonly Sample[] {
    const before = this.held[lane] ?? [];
    if (patch.keep === before.length && patch.more.length === 0) return before;
    return [...before.slice(0, patch.keep), ...patch.more];
  }
}
