/**
 * The kernel's own account of each fault: where, what the error code said,
 * the entry before, and the rung of the handler's ladder that decided it
 * (demand-zero, swap-in, COW, stack growth, heap, spurious, segv), with the
 * frames eviction took to make room. Newest last; the last move's lines
 * are marked.
 */
import { entryFrame, isPresent } from "../../kernel/pte.js";
import type { EventView, ProcessView } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { type Select } from "./selection.js";

const PF_PRESENT = 1;
const PF_WRITE = 2;
const PF_USER = 4;

/** Why the CPU faulted, from the error code. */
export function errorText(code: number): string {
  return `${code & PF_PRESENT ? "protection" : "not-present"} ${code & PF_WRITE ? "write" : "read"}${code & PF_USER ? "" : " (supervisor)"}`;
}

/** The ladder's questions in order, and the rung that answered. */
const LADDER: Readonly<Record<string, string>> = {
  "demand-zero": "not present → DEMAND entry → zero-filled frame",
  "swap-in": "not present → SWAPPED entry → page read back from its slot",
  cow: "present, write → COW entry → private copy (or the frame itself, if the last sharer)",
  spurious: "present, the tables allow it → stale TLB entry dropped, retried",
  stack: "no entry, in the stack region → stack grows: zero-filled frame",
  heap: "no entry, below the heap break → zero-filled frame",
  segv: "nothing allows it → process killed",
  panic: "supervisor fault → kernel panic",
};

export function FaultLog(props: { events: readonly EventView[]; position: number; processes: readonly ProcessView[]; onSelect: Select }) {
  const { events, position, processes, onSelect } = props;
  const nameOf = (pid: number) => processes.find((p) => p.pid === pid)?.name ?? (pid === 0 ? "—" : `pid ${pid}`);
  return (
    <section class="panel" aria-labelledby="log-title">
      <h2 id="log-title">Fault log</h2>
      {events.length === 0 ? (
        <p class="muted">No fault yet.</p>
      ) : (
        <ol class="fault-log">
          {events.map((l, i) => {
            const e = l.event;
            const now = l.move === position;
            if (e.type === "evict") {
              return (
                <li key={i} class={`evict${now ? " now" : ""}`} data-move={l.move}>
                  <span class="move">#{l.move}</span> evict{" "}
                  <button type="button" class="link" onClick={() => onSelect({ kind: "frame", pfn: e.pfn })}>
                    frame {hex5(e.pfn)}
                  </button>{" "}
                  ({e.mappings.map((m) => hex(m.va)).join(", ")}) → slot {e.slot}
                  {e.clean ? " (clean: no write)" : ""}
                </li>
              );
            }
            const frame = isPresent(e.entryAfter) ? entryFrame(e.entryAfter) : -1;
            return (
              <li key={i} class={`fault ${e.decision}${now ? " now" : ""}`} data-move={l.move} data-decision={e.decision}>
                <span class="move">#{l.move}</span> {nameOf(l.pid)} {hex(e.va)} {errorText(e.errorCode)}: <b>{e.decision}</b>
                {frame >= 0 && (
                  <>
                    {" "}→{" "}
                    <button type="button" class="link" onClick={() => onSelect({ kind: "frame", pfn: frame })}>
                      frame {hex5(frame)}
                    </button>
                  </>
                )}
                <div class="ladder">{LADDER[e.decision]}{e.reason !== "" ? ` (${e.reason})` : ""}</div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
