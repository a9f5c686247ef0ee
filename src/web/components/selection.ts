/**
 * What the student picked in one view, so the others can light up what goes
 * with it (a PTE's frame, a frame's mappings and TLB entries, a slot's
 * owners and swap-cache frame).
 */
export type Selection = { readonly kind: "frame"; readonly pfn: number } | { readonly kind: "slot"; readonly slot: number } | null;

export type Select = (s: Selection) => void;

export function isFrame(s: Selection, pfn: number): boolean {
  return s !== null && s.kind === "frame" && s.pfn === pfn;
}

export function isSlot(s: Selection, slot: number): boolean {
  return s !== null && s.kind === "slot" && s.slot === slot;
}
