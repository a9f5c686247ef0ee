/** Playing: a seek every tick, as far as the speed says, each waiting for the reply before the next. */
import { useEffect, useState } from "preact/hooks";
import type { PlaygroundState } from "../protocol.js";

/** How often a playing run asks for its next point. */
const PLAY_TICK_MS = 50;

export function usePlay(state: PlaygroundState | null, seek: (to: number, unit: "move") => Promise<void>) {
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(100);
  useEffect(() => {
    if (!playing || state === null) return;
    if (state.position >= state.totalMoves) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => void seek(state.position + Math.max(1, Math.round((speed * PLAY_TICK_MS) / 1000)), "move"), PLAY_TICK_MS);
    return () => clearTimeout(timer);
  }, [playing, state, speed, seek]);
  return { playing, setPlaying, speed, setSpeed };
}
