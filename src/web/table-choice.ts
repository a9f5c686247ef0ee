/**
 * Whose page tables the page shows: by default the running process whose
 * space is loaded (CR3), or the only one; the student may open or close
 * any other. Only choices against the default are kept (the default moves
 * with the current process). The worker sends the page-table entries of the
 * processes shown only, so a jump's message carries what is drawn.
 */

/** The student's choices: pid -> tables open, for choices against the default only. */
export type TableChoices = Readonly<Record<number, boolean>>;

interface Shown {
  readonly pid: number;
  readonly current: boolean;
}

/** Whether `p`'s tables are shown among `count` processes, by default. */
export function tablesOpenByDefault(p: Shown, count: number): boolean {
  return p.current || count === 1;
}

/** Whether `p`'s tables are shown among `count` processes under `choices`. */
export function tablesOpen(p: Shown, count: number, choices: TableChoices): boolean {
  return choices[p.pid] ?? tablesOpenByDefault(p, count);
}

/** `choices` with `p`'s tables open or closed (the choice dropped when it is the default); `choices` itself when unchanged. */
export function choose(choices: TableChoices, p: Shown, count: number, open: boolean): TableChoices {
  const choice = open === tablesOpenByDefault(p, count) ? undefined : open;
  if (choices[p.pid] === choice) return choices;
  const next: Record<number, boolean> = { ...choices };
  if (choice === undefined) delete next[p.pid];
  else next[p.pid] = choice;
  return next;
}
