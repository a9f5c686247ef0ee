/**
 * The kernel's event log, Serenity's "debug narration behind a flag" made a
 * typed value: when a sink is attached (Vmm.events), the fault handler says
 * what it decided for each fault and eviction says which frame it took and
 * where the page went. Off by default, and then it costs one null test per
 * fault or eviction (never per access): the access path does not know it
 * exists. Events are plain data built only when a sink listens, so a
 * playground, a test or a tracer can switch on them without the kernel
 * growing a second way of reporting.
 */

import type { FaultOutcome } from "./fault-outcome.js";

/** The rung of the fault ladder (page-fault.ts) that decided a fault. */
export type FaultDecision = "demand-zero" | "swap-in" | "cow" | "stack" | "heap" | "spurious" | "segv" | "panic";

/** One page fault and what the handler made of it. */
export interface FaultEvent {
  readonly type: "fault";
  /** Address space of the faulting access (0: the kernel's). */
  readonly spaceId: number;
  /** The faulting linear address (CR2). */
  readonly va: number;
  /** The #PF error code (PF bits). */
  readonly errorCode: number;
  /** The PTE of the page before the handler ran (0: none or no page table). */
  readonly entryBefore: number;
  /** The PTE after it (a resolved fault leaves a present entry). */
  readonly entryAfter: number;
  readonly decision: FaultDecision;
  /** Why a segv or panic, else "". */
  readonly reason: string;
}

/** A user frame written out (or put back on its clean slot) to free it. */
export interface EvictionEvent {
  readonly type: "evict";
  readonly pfn: number;
  /** The slot its PTEs now name. */
  readonly slot: number;
  /** True when the page was a clean swap-cache copy of its slot: nothing was written. */
  readonly clean: boolean;
  /** Who mapped it: address space id and page address, one per PTE (the reverse map). */
  readonly mappings: readonly { readonly spaceId: number; readonly va: number }[];
}

export type KernelEvent = FaultEvent | EvictionEvent;

/** Where events go; attach one with Vmm.events. */
export interface KernelEventSink {
  event(e: KernelEvent): void;
}

/** The ladder's rung from the handler's outcome. */
export function decisionOf(outcome: FaultOutcome): FaultDecision {
  return outcome.kind === "resolved" ? outcome.how : outcome.kind;
}
