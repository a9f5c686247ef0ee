/**
 * Built-in exercises that are not in examples/: each is a scenario (the
 * editor shows its YAML) and the lanes to compare it in.
 *
 * Belady's anomaly: the reference string 1,2,3,4,1,2,5,1,2,3,4,5 under FIFO
 * faults 9 times with 3 frames and 10 times with 4. Here each number is a
 * heap page of one process; `userFrames` caps its resident pages, the TLB
 * is off, and every fault is the real kernel's (a demand-zero fault the
 * first time, a swap-in after FIFO evicted the page).
 */
import type { PolicyName } from "../../kernel/replacement/index.js";
import type { PresetName } from "../protocol.js";

export interface Preset {
  readonly title: string;
  readonly file: string;
  readonly text: string;
  readonly lanes: readonly { readonly policy: PolicyName; readonly frames: number }[];
}

const BELADY_STRING = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

function beladyText(): string {
  const touches = BELADY_STRING.map((p) => `      - touch: {at: heap+${p * 4}K, length: 4}   # page ${p}`).join("\n");
  return `# Belady's anomaly: FIFO faults more with 4 frames than with 3 on this string.
name: Belady's anomaly (FIFO, 3 vs 4 frames)
description: The reference string 1,2,3,4,1,2,5,1,2,3,4,5, one heap page per number; the lanes cap resident pages at 3 and at 4.
machine:
  ram: 4M
  swap: 1M
  policy: fifo
  tlb: off
  userFrames: 3
processes:
  - name: refs
    steps:
      - brk: +24K
${touches}
      - exit: 0
`;
}

export const PRESETS: Record<PresetName, Preset> = {
  belady: {
    title: "Belady's anomaly",
    file: "presets/belady.yaml",
    text: beladyText(),
    lanes: [
      { policy: "fifo", frames: 3 },
      { policy: "fifo", frames: 4 },
    ],
  },
};
