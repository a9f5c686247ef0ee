/**
 * Long work lets its host in now and then: a signal (Ctrl-C, SIGTERM) reaches
 * its handler, timers and a progress bar tick, a browser worker hears its
 * page. JavaScript runs a signal handler only between tasks, so a loop that
 * never returns to the event loop cannot be interrupted. Work asks `hostDue`
 * at its own slice boundaries (a chunk of a trace, a slice of a touch step),
 * never per access, and yields once it has run about SLICE_MS.
 */

/** Work between two yields, at most about this long. */
const SLICE_MS = 50;

let deadline = 0;

/** True when the work has run SLICE_MS since it last yielded: time to `yieldToHost`. */
export function hostDue(): boolean {
  return performance.now() >= deadline;
}

/** Lets the event loop run (one macrotask turn), then starts a new slice. */
export async function yieldToHost(): Promise<void> {
  await new Promise<void>((resume) => (typeof setImmediate === "function" ? setImmediate(resume) : setTimeout(resume, 0)));
  deadline = performance.now() + SLICE_MS;
}
