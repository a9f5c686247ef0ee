/**
 * Physical memory, one cell per frame, coloured by what it holds (free,
 * reserved, kernel, page directory or table, user page; shared and
 * copy-on-write pages and swap-cache pages marked). Selecting a frame shows
 * its reference count and the PTEs that map it — the reverse map.
 */
import type { FrameState, ProcessView } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { isFrame, type Select, type Selection } from "./selection.js";

/** Frames drawn as buttons at most; past it only frames in use are (a 16 MiB machine's 4,096 buttons took a third of a trace's load to draw). */
const MAX_CELLS = 2048;

function classOf(f: FrameState): string {
  if (f.use !== "user") return f.use;
  if (f.swapCacheSlot >= 0) return "user swap-cache";
  if (f.mappings.some((m) => m.cow)) return "user cow";
  return f.refcount > 1 ? "user shared" : "user";
}

export function FrameMap(props: { frames: readonly FrameState[]; processes: readonly ProcessView[]; selection: Selection; onSelect: Select }) {
  const { frames, processes, selection, onSelect } = props;
  const shown = frames.length <= MAX_CELLS ? frames : frames.filter((f) => f.use !== "free" && f.use !== "reserved");
  const selected = selection?.kind === "frame" ? frames[selection.pfn] : undefined;
  return (
    <section class="panel" aria-labelledby="frames-title">
      <h2 id="frames-title">Frames</h2>
      <FrameLegend frames={frames} />
      <div class="frame-grid" role="group" aria-label="frame map">
        {shown.map((f) => (
          <button
            key={f.pfn}
            type="button"
            class={`cell ${classOf(f)}${isFrame(selection, f.pfn) ? " lit" : ""}`}
            aria-label={`frame ${hex5(f.pfn)}: ${f.use}${f.refcount > 0 ? `, ${f.refcount} mapping${f.refcount > 1 ? "s" : ""}` : ""}`}
            aria-pressed={isFrame(selection, f.pfn)}
            data-pfn={f.pfn}
            onClick={() => onSelect({ kind: "frame", pfn: f.pfn })}
          />
        ))}
      </div>
      {selected !== undefined && <FrameDetail frame={selected} processes={processes} onSelect={onSelect} />}
    </section>
  );
}

/** How many frames hold each kind of thing, and the marks for shared, COW and swap-cache pages. */
function FrameLegend(props: { frames: readonly FrameState[] }) {
  const counts = new Map<string, number>();
  for (const f of props.frames) counts.set(f.use, (counts.get(f.use) ?? 0) + 1);
  return (
    <p class="muted legend">
      {[...counts].map(([use, n]) => (
        <span key={use} class="legend-item">
          <i class={`swatch ${use}`} /> {use} {n}
        </span>
      ))}
      <span class="legend-item"><i class="swatch user shared" /> shared</span>
      <span class="legend-item"><i class="swatch user cow" /> COW</span>
      <span class="legend-item"><i class="swatch user swap-cache" /> swap cache</span>
    </p>
  );
}

/** The selected frame: its use, reference count, swap-cache slot and the PTEs that map it (the reverse map). */
function FrameDetail(props: { frame: FrameState; processes: readonly ProcessView[]; onSelect: Select }) {
  const { frame: selected, onSelect } = props;
  const nameOf = (pid: number) => props.processes.find((p) => p.pid === pid)?.name ?? `pid ${pid}`;
  return (
    <div class="detail" aria-live="polite" data-testid="frame-detail">
      <b>frame {hex5(selected.pfn)}</b> ({hex(selected.pfn * 4096)}): {selected.use}
      {selected.use === "user" && (
        <>
          , refcount {selected.refcount}
          {selected.swapCacheSlot >= 0 && (
            <>
              , swap cache of{" "}
              <button type="button" class="link" onClick={() => onSelect({ kind: "slot", slot: selected.swapCacheSlot })}>
                slot {selected.swapCacheSlot}
              </button>
            </>
          )}
          <ul class="rmap">
            {selected.mappings.map((m) => (
              <li key={m.pteAddr}>
                {nameOf(m.pid)} (pid {m.pid}) {hex(m.va)} — PTE at {hex(m.pteAddr)}
                {m.cow ? " (COW)" : ""}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
