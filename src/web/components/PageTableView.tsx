/**
 * Each process's page directory and page tables as the MMU walks them: one
 * row per non-empty PTE of the user half, its bits decoded (P RW US A D and
 * the kernel's COW, SWAPPED, DEMAND). Clicking a row selects its frame (or
 * its swap slot); rows whose frame or slot is selected light up. Tables
 * are shown for the processes table-choice.ts says.
 */
import { useState } from "preact/hooks";
import { Spacer, useRowWindow } from "./row-window.js";
import type { EntryFlags, PdeView, PteView, ProcessView } from "../../sim/timeline/view.js";
import { hex, hex5 } from "./format.js";
import { isFrame, isSlot, type Select, type Selection } from "./selection.js";
import { choose, tablesOpen, type TableChoices } from "../table-choice.js";

const FLAGS: readonly (keyof EntryFlags)[] = ["P", "RW", "US", "A", "D", "COW", "SWAPPED", "DEMAND"];

/** A row's height in Debian's Chromium (its flags and link button make it 38 px), until one is measured. */
const ROW_HEIGHT = 38;

/** Rows shown per page table until the student asks for all (thousands of rows make every step slow to draw). */
const ROWS = 64;

export interface PageTableProps {
  readonly processes: readonly ProcessView[];
  /** The student's choices of tables shown (the worker sends the entries of those shown only). */
  readonly choices: TableChoices;
  readonly onChoices: (choices: TableChoices) => void;
  readonly selection: Selection;
  readonly onSelect: Select;
}

/**
 * A summary per process, each followed by its tables when they are shown. The tables are the summary's next
 * sibling, not its child, and keyed by their place among the tables shown: when the current process changes, the
 * same rows are patched with the other process's entries (making them again was most of a process switch).
 */
export function PageTableView(props: PageTableProps) {
  const { processes, choices, onChoices } = props;
  const [all, setAll] = useState<ReadonlySet<string>>(new Set());
  const count = processes.length;
  let shown = 0;
  const toggle = (p: ProcessView, open: boolean) => {
    const next = choose(choices, p, count, open);
    if (next !== choices) onChoices(next);
  };
  const items = processes.flatMap((p) => {
    const open = tablesOpen(p, count, choices);
    const summary = <ProcessSummary key={`pid ${p.pid}`} process={p} open={open} onToggle={(o) => toggle(p, o)} />;
    if (!open) return [summary];
    const tables = <ProcessTables key={`tables ${shown++}`} process={p} all={all} onShowAll={(key) => setAll(new Set([...all, key]))} selection={props.selection} onSelect={props.onSelect} />;
    return [summary, tables];
  });
  return (
    <section class="panel" aria-labelledby="pt-title">
      <h2 id="pt-title">Page tables</h2>
      {count === 0 && <p class="muted">No process yet.</p>}
      {items}
    </section>
  );
}

/** A process's line; opening it shows its tables. Its toggle event also follows the page's own opening and closing (choose() keeps only choices against the default). */
function ProcessSummary(props: { process: ProcessView; open: boolean; onToggle: (open: boolean) => void }) {
  const p = props.process;
  return (
    <details open={props.open} class="process" data-pid={p.pid} onToggle={(e) => props.onToggle((e.currentTarget as HTMLDetailsElement).open)}>
      <summary class={props.open ? "open" : undefined}>
        pid {p.pid} <b>{p.name}</b> — {p.state}
        {p.detail !== "" && `: ${p.detail}`}
        {p.pageDirectory !== 0 && ` · CR3 ${hex(p.pageDirectory)}`}
        {p.current && " · current"}
      </summary>
    </details>
  );
}

/** A process's page tables, each in its box, keyed by place (see PageTableView). */
function ProcessTables(props: { process: ProcessView; all: ReadonlySet<string>; onShowAll: (key: string) => void; selection: Selection; onSelect: Select }) {
  const { process: p, all, selection } = props;
  return (
    <div class="tables" data-pid={p.pid} aria-label={`page tables of pid ${p.pid}`}>
      {p.pdes.map((pde, place) => {
        const key = `${p.pid}:${pde.index}`;
        const more = pde.ptes.length > ROWS && !all.has(key) ? pde.ptes.length : 0;
        return <PdeBox key={place} identity={key} pde={pde} rows={visibleRows(pde.ptes, all.has(key), selection)} more={more} selection={selection} onSelect={props.onSelect} onShowAll={() => props.onShowAll(key)} />;
      })}
    </div>
  );
}

/**
 * One page table in its scroll box, drawing only the rows in the box's window (row-window.tsx):
 * the box shows about a dozen of its 64 rows.
 */
function PdeBox(props: { identity: string; pde: PdeView; rows: readonly PteView[]; more: number; selection: Selection; onSelect: Select; onShowAll(): void }) {
  const { pde, rows, selection, onSelect } = props;
  const window = useRowWindow(rows.length, ROW_HEIGHT, props.identity);
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
          {rows.slice(window.first, window.last).map((pte, place) => (
            // Keyed by place in the window: a jump or a scroll patches the rows' text instead of making rows again.
            <PteRow key={place} pte={pte} selection={selection} onSelect={onSelect} />
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
