/**
 * Each process's page directory and page tables as the MMU walks them: one
 * row per non-empty PTE of the user half, its bits decoded (P RW US A D and
 * the kernel's COW, SWAPPED, DEMAND). Clicking a row selects its frame (or
 * its swap slot); rows whose frame or slot is selected light up.
 */
import { useState } from "preact/hooks";
import { Spacer, useRowWindow } from "./row-window.js";
import type { EntryFlags, PdeView, PteView, ProcessView } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { isFrame, isSlot, type Select, type Selection } from "./selection.js";

const FLAGS: readonly (keyof EntryFlags)[] = ["P", "RW", "US", "A", "D", "COW", "SWAPPED", "DEMAND"];

/** A row's height in Debian's Chromium (its flags and link button make it 38 px), until one is measured. */
const ROW_HEIGHT = 38;

/** Rows shown per page table until the student asks for all (thousands of rows make every step slow to draw). */
const ROWS = 64;

export function PageTableView(props: { processes: readonly ProcessView[]; selection: Selection; onSelect: Select }) {
  const { processes, selection, onSelect } = props;
  const [all, setAll] = useState<ReadonlySet<string>>(new Set());
  // Tables are drawn for the processes opened; by default the running process whose space is loaded (CR3), or
  // the only one — drawing every process's tables at every step made stepping slow.
  const [opened, setOpened] = useState<ReadonlyMap<number, boolean>>(new Map());
  const byDefault = (p: ProcessView): boolean => p.current || processes.length === 1;
  const isOpen = (p: ProcessView): boolean => opened.get(p.pid) ?? byDefault(p);
  // The toggle event also follows the page's own opening and closing as the current process changes: only a choice
  // against the default is the student's (kept, it had every process's tables open after a few jumps).
  const onToggle = (p: ProcessView, open: boolean) => {
    const choice = open === byDefault(p) ? undefined : open;
    if (opened.get(p.pid) === choice) return;
    const next = new Map(opened);
    if (choice === undefined) next.delete(p.pid);
    else next.set(p.pid, choice);
    setOpened(next);
  };
  return (
    <section class="panel" aria-labelledby="pt-title">
      <h2 id="pt-title">Page tables</h2>
      {processes.length === 0 && <p class="muted">No process yet.</p>}
      {processes.map((p) => (
        <details
          key={p.pid}
          open={isOpen(p)}
          class="process"
          data-pid={p.pid}
          onToggle={(e) => onToggle(p, (e.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>
            pid {p.pid} <b>{p.name}</b> — {p.state}
            {p.detail !== "" && `: ${p.detail}`}
            {p.pageDirectory !== 0 && ` · CR3 ${hex(p.pageDirectory)}`}
            {p.current && " · current"}
          </summary>
          {isOpen(p) &&
            p.pdes.map((pde) => {
              const key = `${p.pid}:${pde.index}`;
              const more = pde.ptes.length > ROWS && !all.has(key) ? pde.ptes.length : 0;
              return (
                <PdeBox key={pde.index} pde={pde} rows={visibleRows(pde.ptes, all.has(key), selection)} more={more} selection={selection} onSelect={onSelect} onShowAll={() => setAll(new Set([...all, key]))} />
              );
            })}
        </details>
      ))}
    </section>
  );
}

/**
 * One page table in its scroll box, drawing only the rows in the box's window (row-window.tsx):
 * the box shows about a dozen of its 64 rows.
 */
function PdeBox(props: { pde: PdeView; rows: readonly PteView[]; more: number; selection: Selection; onSelect: Select; onShowAll(): void }) {
  const { pde, rows, selection, onSelect } = props;
  const window = useRowWindow(rows.length, ROW_HEIGHT);
  return (
    <div class="pde" ref={window.box} onScroll={window.onScroll}>
      <div class="pde-head">
        PDE {pde.index} ({hex(pde.va)}–) → table {hex(pde.table)} {flagText(pde.flags)}
      </div>
      <table class="pte-table">
        <thead>
          <tr>
            <th scope="col">VA</th>
            <th scope="col">PTE</th>
            {FLAGS.map((f) => (
              <th key={f} scope="col">
                {f}
              </th>
            ))}
            <th scope="col">frame / slot</th>
          </tr>
        </thead>
        <tbody>
          <Spacer height={window.before} />
          {rows.slice(window.first, window.last).map((pte) => (
            <PteRow key={pte.index} pte={pte} selection={selection} onSelect={onSelect} />
          ))}
          <Spacer height={window.after} />
        </tbody>
      </table>
      {props.more > 0 && (
        <button type="button" class="link" onClick={props.onShowAll}>
          show all {props.more} entries
        </button>
      )}
    </div>
  );
}

function PteRow(props: { pte: PteView; selection: Selection; onSelect: Select }) {
  const { pte, selection, onSelect } = props;
  const lit = (pte.frame >= 0 && isFrame(selection, pte.frame)) || (pte.slot >= 0 && isSlot(selection, pte.slot));
  const pick = () => onSelect(pte.frame >= 0 ? { kind: "frame", pfn: pte.frame } : pte.slot >= 0 ? { kind: "slot", slot: pte.slot } : null);
  return (
    <tr class={lit ? "lit" : undefined} data-va={hex(pte.va)}>
      <td>
        <button type="button" class="link" onClick={pick} aria-label={`PTE of ${hex(pte.va)}`}>
          {hex(pte.va)}
        </button>
      </td>
      <td class="mono">{hex(pte.entry)}</td>
      {FLAGS.map((f) => (
        <td key={f} class={pte.flags[f] ? "on" : "off"} data-flag={f}>
          {pte.flags[f] ? "1" : "·"}
        </td>
      ))}
      <td class="mono">{pte.frame >= 0 ? `pfn ${hex5(pte.frame)}` : pte.slot >= 0 ? `slot ${pte.slot}` : ""}</td>
    </tr>
  );
}

function flagText(f: EntryFlags): string {
  return FLAGS.filter((k) => f[k]).join(" ");
}

/** The first ROWS entries (all, if asked), and any selected entry past them. */
function visibleRows(ptes: readonly PteView[], all: boolean, selection: Selection): readonly PteView[] {
  if (all || ptes.length <= ROWS) return ptes;
  return ptes.filter((pte, i) => i < ROWS || (pte.frame >= 0 && isFrame(selection, pte.frame)) || (pte.slot >= 0 && isSlot(selection, pte.slot)));
}
