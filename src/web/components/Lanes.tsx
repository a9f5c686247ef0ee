/**
 * Policies side by side: one card per lane, all at the same move, with the
 * faults and evictions each has made so far; the lane with the fewest
 * faults is marked.
 */
import type { LaneState } from "../protocol.js";
import { count } from "./format.js";

export function Lanes(props: { lanes: readonly LaneState[] }) {
  const { lanes } = props;
  if (lanes.length < 2) return null;
  const fewest = Math.min(...lanes.map((l) => l.faults));
  return (
    <section class="panel" aria-labelledby="lanes-title">
      <h2 id="lanes-title">Side by side</h2>
      <div class="lanes">
        {lanes.map((l, i) => (
          <div key={i} class={`lane${l.faults === fewest ? " best" : ""}`} data-lane={i} data-testid={`lane-${i}`}>
            <div class="lane-name">{l.label}</div>
            <div>
              <b data-testid={`lane-${i}-faults`}>{count(l.faults)}</b> faults
            </div>
            <div>{count(l.evictions)} evictions</div>
            <div class="muted">{l.finished ? "finished" : `move ${count(l.moves)}`}</div>
          </div>
        ))}
      </div>
    </section>
  );
}
