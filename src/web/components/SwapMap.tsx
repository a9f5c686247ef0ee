/**
 * The swap area: each slot in use with its reference count (the PTEs that
 * name it), who they are, and the frame holding its page in the swap cache.
 */
import type { ProcessView, SlotState, SwapState } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { isFrame, isSlot, type Select, type Selection } from "./selection.js";
import { Spacer, useRowWindow } from "./row-window.js";

const MAX_ROWS = 400;
/** A row's height in Debian's Chromium (one line: cells do not wrap), until one is measured. */
const ROW_HEIGHT = 22;

export function SwapMap(props: { swap: SwapState; processes: readonly ProcessView[]; selection: Selection; onSelect: Select }) {
  const { swap, processes, selection, onSelect } = props;
  const nameOf = (pid: number) => processes.find((p) => p.pid === pid)?.name ?? `pid ${pid}`;
  return (
    <section class="panel" aria-labelledby="swap-title">
      <h2 id="swap-title">Swap</h2>
      {swap.totalSlots === 0 ? (
        <p class="muted">No swap.</p>
      ) : (
        <>
          <p class="muted">
            {swap.totalSlots} slots, {swap.usedSlots} in use, {swap.cachedPages} in the swap cache
          </p>
          {swap.slots.length > 0 && <SlotTable slots={swap.slots.slice(0, MAX_ROWS)} nameOf={nameOf} selection={selection} onSelect={onSelect} />}
          {swap.slots.length > MAX_ROWS && <p class="muted">and {swap.slots.length - MAX_ROWS} more slots</p>}
        </>
      )}
    </section>
  );
}

/** The slots in use in a scroll box, drawing only the rows in its window (row-window.tsx). */
function SlotTable(props: { slots: readonly SlotState[]; nameOf: (pid: number) => string; selection: Selection; onSelect: Select }) {
  const { slots, nameOf, selection, onSelect } = props;
  const window = useRowWindow(slots.length, ROW_HEIGHT);
  return (
    <div class="rows-box" ref={window.box} onScroll={window.onScroll}>
      <table class="swap">
        <thead>
          <tr>
            <th scope="col">slot</th>
            <th scope="col">refcount</th>
            <th scope="col">named by</th>
            <th scope="col">swap-cache frame</th>
          </tr>
        </thead>
        <tbody>
          <Spacer height={window.before} />
          {slots.slice(window.first, window.last).map((s) => (
            <tr key={s.slot} class={isSlot(selection, s.slot) || (s.cacheFrame >= 0 && isFrame(selection, s.cacheFrame)) ? "lit" : undefined} data-slot={s.slot}>
              <td>
                <button type="button" class="link" onClick={() => onSelect({ kind: "slot", slot: s.slot })}>
                  {s.slot}
                </button>
              </td>
              <td>{s.refcount}</td>
              <td>{s.owners.map((o) => `${nameOf(o.pid)} ${hex(o.va)}`).join(", ")}</td>
              <td>
                {s.cacheFrame >= 0 ? (
                  <button type="button" class="link" onClick={() => onSelect({ kind: "frame", pfn: s.cacheFrame })}>
                    {hex5(s.cacheFrame)}
                  </button>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
          <Spacer height={window.after} />
        </tbody>
      </table>
    </div>
  );
}
