/**
 * The replacement policy's own lists as a user sees them, in the spirit of
 * /sys/kernel/debug/lru_gen: for MGLRU each generation (seq, birth tick,
 * age, pages) and for the two-list LRU its inactive and active lists, each
 * with the pages of every process in it. A page shared by fork counts for
 * each process that maps it, as in its resident set. Built off the hot path
 * (inspect, the end of a run), from the kernel's lists and the processes'
 * page tables read as a debugger would.
 */
import type { MglruPolicy } from "../kernel/replacement/mglru.js";
import type { PolicyList } from "../kernel/vmm.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import { forEachUserEntry } from "../kernel/page-tables.js";
import { entryFrame, isPresent } from "../kernel/pte.js";

/** A process to attribute pages to: its pid, name and page directory. */
export interface ViewedProcess {
  readonly pid: number;
  readonly name: string;
  readonly pdPhys: number;
}

export interface PolicyListView {
  readonly name: string;
  readonly seq?: number;
  /** Birth tick and age in ticks (MGLRU's generations). */
  readonly birth?: number;
  readonly age?: number;
  /** Frames in the list. */
  readonly pages: number;
  /** Pages of each process in the list, by pid (a shared page counts for each sharer). */
  readonly byProcess: Readonly<Record<number, number>>;
}

export interface PolicyView {
  readonly policy: string;
  readonly lists: readonly PolicyListView[];
  /** Process names by pid, for the columns. */
  readonly names: Readonly<Record<number, string>>;
  /** MGLRU: min_seq, max_seq, the tier index the PID controller allows, agings, evictions min_ttl refused. */
  readonly mglru?: { readonly minSeq: number; readonly maxSeq: number; readonly tierIndex: number; readonly agings: number; readonly ttlRefusals: number };
}

/** What the view is made from: a System's memory, VMM and clock. */
export interface ViewSource {
  readonly machine: { readonly memory: PhysicalMemory };
  readonly vmm: { readonly policyName: string; readonly policy: unknown; policyLists(): PolicyList[] | null };
  stats(): { readonly ticks: number };
}

/** The policy's lists with each process's pages, or null for a policy without lists of its own. */
export function policyView(source: ViewSource, processes: readonly ViewedProcess[]): PolicyView | null {
  const lists = source.vmm.policyLists();
  if (lists === null) return null;
  const now = source.stats().ticks;
  const owners = frameOwners(source.machine.memory, processes);
  const views = lists
    .filter((l) => l.name !== "held" || l.frames.length > 0)
    .map((l): PolicyListView => {
      const byProcess: Record<number, number> = {};
      for (const pfn of l.frames) for (const pid of owners.get(pfn) ?? []) byProcess[pid] = (byProcess[pid] ?? 0) + 1;
      const timing = l.birth === undefined ? {} : { birth: l.birth, age: now - l.birth };
      return { name: l.name, ...(l.seq === undefined ? {} : { seq: l.seq }), ...timing, pages: l.frames.length, byProcess };
    });
  const names = Object.fromEntries(processes.map((p) => [p.pid, p.name]));
  return { policy: source.vmm.policyName, lists: views, names, ...mglruSummary(source.vmm) };
}

function mglruSummary(vmm: ViewSource["vmm"]): Pick<PolicyView, "mglru"> {
  if (vmm.policyName !== "mglru") return {};
  const p = vmm.policy as MglruPolicy;
  return { mglru: { minSeq: p.minSeq, maxSeq: p.maxSeq, tierIndex: p.tierIndex(), agings: p.agings, ttlRefusals: p.ttlRefusals } };
}

/** Frame → pids mapping it, from each process's page tables. */
function frameOwners(memory: PhysicalMemory, processes: readonly ViewedProcess[]): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  for (const p of processes) {
    forEachUserEntry(memory, p.pdPhys, (_va, pte) => {
      if (!isPresent(pte)) return;
      const pfn = entryFrame(pte);
      const list = owners.get(pfn);
      if (list === undefined) owners.set(pfn, [p.pid]);
      else list.push(p.pid);
    });
  }
  return owners;
}

/** The view as text: a header, then one row per list with its pages and each process's. */
export function formatPolicyView(view: PolicyView): string {
  const pids = Object.keys(view.names).map(Number);
  const head = view.mglru === undefined
    ? `${view.policy}: inactive and active lists`
    : `lru_gen (${view.policy}): min_seq ${view.mglru.minSeq}, max_seq ${view.mglru.maxSeq}, tier index ${view.mglru.tierIndex}, ${view.mglru.agings} agings` +
      (view.mglru.ttlRefusals > 0 ? `, ${view.mglru.ttlRefusals} evictions refused by min_ttl` : "");
  const columns = ["list", ...(view.mglru === undefined ? [] : ["birth", "age"]), "pages", ...pids.map((pid) => `${view.names[pid]}(${pid})`)];
  const rows = view.lists.map((l) => [
    l.name,
    ...(view.mglru === undefined ? [] : [String(l.birth ?? ""), String(l.age ?? "")]),
    String(l.pages),
    ...pids.map((pid) => String(l.byProcess[pid] ?? 0)),
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [head, line(columns), ...rows.map(line)].join("\n") + "\n";
}
