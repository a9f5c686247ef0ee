/**
 * Files a run creates for itself (a temporary swap image, an output's
 * temporary file) must not outlive it: each is removed by its owner when
 * done, and otherwise when the host exits or is interrupted. A signal is
 * raised again once the cleanups are done, so the default action (or the
 * next listener) still happens.
 */

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `cleanup` once: when the returned function is called, or at host
 * exit, or on SIGINT/SIGTERM/SIGHUP, whichever comes first.
 */
export function cleanupOnExit(cleanup: () => void): () => void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    process.removeListener("exit", once);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    cleanup();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    once();
    process.kill(process.pid, signal);
  };
  process.on("exit", once);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return once;
}
