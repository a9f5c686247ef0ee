/**
 * A load under way: what the worker is doing (decompressing, reading,
 * exploring, replaying under a policy) and how far it is, as a bar that
 * fills when the total is known (a trace's replay: its accesses) and an
 * indeterminate one when it is not (a scenario's length is learnt by running it).
 */
import { count } from "./format.js";

export interface LoadProgress {
  readonly what: string;
  readonly done: number;
  /** 0 when not known in advance. */
  readonly total: number;
}

export function ProgressBar({ progress }: { readonly progress: LoadProgress | null }) {
  const known = progress !== null && progress.total > 0;
  return (
    <div class="progress" role="status">
      <progress aria-label="progress of the run" {...(known ? { max: progress.total, value: Math.min(progress.done, progress.total) } : {})} />{" "}
      Running… {progress === null ? "" : `${progress.what} ${count(progress.done)}${known ? ` of ${count(progress.total)}` : ""}`}
    </div>
  );
}
