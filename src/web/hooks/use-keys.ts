/**
 * The keys: ← → one move, Shift one step, Space play/pause, Home/End. The
 * handler reads the newest state from a ref: effects run after paint, and a
 * key pressed before must not act on the old one.
 */
import { useEffect } from "preact/hooks";
import type { TimelineControl } from "./use-timeline.js";

export function useKeys(timeline: Pick<TimelineControl, "latest" | "seek" | "moveBy" | "stepBy">, setPlaying: (f: (playing: boolean) => boolean) => void): void {
  const { latest, seek, moveBy, stepBy } = timeline;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      const state = latest.current;
      if (target.closest(".cm-editor, input, select, textarea") !== null || state === null) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        const dir = e.key === "ArrowLeft" ? -1 : 1;
        if (e.shiftKey) stepBy(dir);
        else moveBy(dir);
      } else if (e.key === " " && target.tagName !== "BUTTON") {
        e.preventDefault();
        setPlaying((p) => !p);
      } else if (e.key === "Home") void seek(0, "move");
      else if (e.key === "End") void seek(state.totalMoves, "move");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [seek, moveBy, stepBy]);
}
