/**
 * The TLB as the hardware holds it: one row per set, one cell per way. An
 * entry shows the page it translates, its frame and the cached rights;
 * an entry the page tables no longer agree with is flagged stale (strict
 * mode reports the access it serves). Entries of the selected frame light up.
 */
import type { TlbEntryState, TlbState } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { isFrame, type Select, type Selection } from "./selection.js";

export function TlbView(props: { tlb: TlbState; selection: Selection; onSelect: Select }) {
  const { tlb, selection, onSelect } = props;
  if (!tlb.enabled) {
    return (
      <section class="panel" aria-labelledby="tlb-title">
        <h2 id="tlb-title">TLB</h2>
        <p class="muted">Off: every access walks the page tables.</p>
      </section>
    );
  }
  const main = tlb.entries.filter((e) => e.array === "4K");
  const grid: (TlbEntryState | null)[][] = Array.from({ length: tlb.sets }, () => new Array<TlbEntryState | null>(tlb.ways).fill(null));
  for (const e of main) grid[e.set][e.way] = e;
  const stale = tlb.entries.filter((e) => e.stale !== null).length;
  return (
    <section class="panel" aria-labelledby="tlb-title">
      <h2 id="tlb-title">TLB</h2>
      <p class="muted">
        {tlb.sets} sets × {tlb.ways} ways, {tlb.entries.length} valid
        {tlb.strict ? ` · strict mode: ${tlb.violations} access${tlb.violations === 1 ? "" : "es"} through stale entries` : ""}
        {stale > 0 && <b class="stale-note"> · {stale} stale</b>}
      </p>
      <table class="tlb">
        <thead>
          <tr>
            <th scope="col">set</th>
            {Array.from({ length: tlb.ways }, (_, w) => (
              <th key={w} scope="col">
                way {w}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.map((row, set) => (
            <tr key={set}>
              <th scope="row">{set}</th>
              {row.map((e, way) => (
                <TlbCell key={way} entry={e} selection={selection} onSelect={onSelect} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One way of a set: the entry's page, frame and cached rights, flagged when stale; empty if invalid. */
function TlbCell(props: { entry: TlbEntryState | null; selection: Selection; onSelect: Select }) {
  const e = props.entry;
  return (
    <td class={e === null ? "empty" : [e.stale !== null ? "stale" : "", isFrame(props.selection, e.pfn) ? "lit" : ""].join(" ")} title={e?.stale ?? undefined}>
      {e !== null && (
        <button type="button" class="link" onClick={() => props.onSelect({ kind: "frame", pfn: e.pfn })} aria-label={`TLB entry for ${hex(e.va)}`}>
          vpn {hex5(e.va >>> 12)} → {hex5(e.pfn)}
          <span class="rights">
            {e.rw ? "W" : "R"}
            {e.us ? "U" : "S"}
            {e.d ? "D" : ""}
            {e.g ? "G" : ""}
          </span>
          {e.stale !== null && <span class="stale-tag"> stale: {e.stale}</span>}
        </button>
      )}
    </td>
  );
}
