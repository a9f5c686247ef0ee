/**
 * What the page-fault handler decided, as a value (it never throws). The
 * resolved outcomes are shared frozen objects, so the common paths allocate
 * nothing.
 */

export type ResolvedHow = "demand-zero" | "swap-in" | "cow" | "stack" | "heap" | "spurious";

export type FaultOutcome =
  | { readonly kind: "resolved"; readonly how: ResolvedHow }
  /** A user fault that cannot be resolved: kill the process. */
  | { readonly kind: "segv"; readonly reason: string }
  /** A supervisor fault: kernel panic. */
  | { readonly kind: "panic"; readonly reason: string };

function resolved(how: ResolvedHow): FaultOutcome {
  return Object.freeze({ kind: "resolved", how });
}

export const RESOLVED = {
  DEMAND_ZERO: resolved("demand-zero"),
  SWAP_IN: resolved("swap-in"),
  COW: resolved("cow"),
  STACK: resolved("stack"),
  HEAP: resolved("heap"),
  /** The entry already allowed the access (a stale TLB entry was dropped). */
  SPURIOUS: resolved("spurious"),
} as const;

export function segv(reason: string): FaultOutcome {
  return { kind: "segv", reason };
}

export function panic(reason: string): FaultOutcome {
  return { kind: "panic", reason };
}
