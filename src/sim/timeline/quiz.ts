/**
 * Quiz mode, as the OSTEP homework simulators have it: the page hides what
 * the next move will do until the student says, then checks the answer.
 * The outcome is what the run actually did — the move is made on the real
 * kernel and read back from its event log and counters — so the answer key
 * cannot disagree with the simulator.
 */
import { NO_PTE, walk } from "../../kernel/page-tables.js";
import { entryFrame, isPresent } from "../../kernel/pte.js";
import type { FaultDecision } from "../../kernel/kernel-events.js";
import type { LoggedEvent } from "./event-log.js";
import type { Timeline } from "./timeline.js";

/** The access a move made. */
export interface MoveAccess {
  readonly pid: number;
  readonly va: number;
  readonly write: boolean;
}

/** What a move did. */
export interface MoveOutcome {
  /** The move (1-based). */
  readonly move: number;
  /** The access it made, or null for a step that is not one (brk, fork, exit...). */
  readonly access: MoveAccess | null;
  /** The fault handler's decision, or null: no page fault (a hit). */
  readonly fault: FaultDecision | null;
  /** Frames evicted to make room, with the page each held. */
  readonly victims: readonly { readonly pfn: number; readonly slot: number; readonly va: number }[];
  /** The frame the accessed page is in afterwards, or -1 (not present, or no access). */
  readonly frame: number;
  /** The TLB served it ("hit"), walked ("miss"), or there is no TLB. */
  readonly tlb: "hit" | "miss" | "off";
}

/** A student's answer: any of the parts may be left out. */
export interface QuizAnswer {
  readonly fault?: boolean;
  readonly decision?: FaultDecision;
  readonly victim?: number | null;
  readonly frame?: number;
}

export interface AnswerCheck {
  readonly correct: boolean;
  readonly parts: readonly { readonly part: string; readonly expected: string; readonly given: string; readonly ok: boolean }[];
}

/**
 * Makes the next move of `timeline` and says what it did (the views still
 * show the point before it until the page reveals it). Null at the end.
 */
export function playNextMove(timeline: Timeline): MoveOutcome | null {
  const stepper = timeline.current;
  if (stepper.finished) return null;
  const hitsBefore = stepper.system.stats().tlb.hits;
  const move = stepper.moves + 1;
  timeline.stepCurrent();
  const events = timeline.log.recent(move).filter((l) => l.move === move);
  const access = stepper.lastAccessIn(move);
  const stats = stepper.system.stats();
  return {
    move,
    access,
    fault: lastFault(events),
    victims: events.flatMap((l) => (l.event.type === "evict" ? [{ pfn: l.event.pfn, slot: l.event.slot, va: l.event.mappings[0]?.va ?? 0 }] : [])),
    frame: access === null ? -1 : frameOf(timeline, access),
    tlb: !stats.tlb.enabled ? "off" : stats.tlb.hits > hitsBefore ? "hit" : "miss",
  };
}

/** Checks each part the student answered against what the move did. */
export function checkAnswer(answer: QuizAnswer, outcome: MoveOutcome): AnswerCheck {
  const parts: { part: string; expected: string; given: string; ok: boolean }[] = [];
  const faulted = outcome.fault !== null;
  if (answer.fault !== undefined) parts.push(part("page fault?", faulted ? "fault" : "hit", answer.fault ? "fault" : "hit"));
  if (answer.decision !== undefined) parts.push(part("handler's decision", outcome.fault ?? "none", answer.decision));
  if (answer.victim !== undefined) {
    const victim = outcome.victims[0]?.pfn ?? null;
    parts.push(part("victim frame", victim === null ? "none" : String(victim), answer.victim === null ? "none" : String(answer.victim)));
  }
  if (answer.frame !== undefined) parts.push(part("frame", String(outcome.frame), String(answer.frame)));
  return { correct: parts.every((p) => p.ok), parts };
}

function part(name: string, expected: string, given: string): { part: string; expected: string; given: string; ok: boolean } {
  return { part: name, expected, given, ok: expected === given };
}

/** The decision of the move's last fault (a swap-in then COW write is two; the last one let the access through). */
function lastFault(events: readonly LoggedEvent[]): FaultDecision | null {
  let decision: FaultDecision | null = null;
  for (const l of events) if (l.event.type === "fault") decision = l.event.decision;
  return decision;
}

/** The frame `access.va` maps to in its process now, or -1. */
function frameOf(timeline: Timeline, access: MoveAccess): number {
  const system = timeline.current.system;
  const info = system.process(access.pid);
  if (info.status.state !== "running" || info.pdPhys === 0) return -1;
  const memory = system.machine.memory;
  const pteAddr = walk(memory, info.pdPhys, access.va);
  if (pteAddr === NO_PTE) return -1;
  const pte = memory.read32(pteAddr);
  return isPresent(pte) ? entryFrame(pte) : -1;
}
