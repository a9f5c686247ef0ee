/**
 * The kernel's events (kernel-events.ts) stamped with the move they
 * happened in: the fault log of a playground, the scrubber's marks, and
 * what a quiz checks an answer against. A log listens to one run and keeps
 * its latest events in a ring, plus, while the run is explored end to end,
 * every event up to a cap.
 */
import type { KernelEvent, KernelEventSink } from "../../kernel/kernel-events.js";
import type { Stepper } from "./stepper.js";

/** An event and the move (1-based) it happened in. */
export interface LoggedEvent {
  readonly move: number;
  readonly event: KernelEvent;
}

/** Latest events kept for the fault log. */
export const RECENT_EVENTS = 256;
/** Events kept from a whole run (the scrubber's marks); past it the record says it is cut. */
export const RUN_EVENTS_CAP = 200_000;

export class EventLog implements KernelEventSink {
  private stepper: Stepper | null = null;
  private readonly ring: LoggedEvent[] = [];
  private next = 0;
  private whole: LoggedEvent[] | null = null;
  /** True once a whole-run record dropped events past RUN_EVENTS_CAP. */
  cut = false;

  /** Listens to `stepper`'s kernel. */
  attach(stepper: Stepper): void {
    this.stepper = stepper;
    stepper.system.vmm.events = this;
  }

  event(e: KernelEvent): void {
    const logged = { move: this.stepper === null ? 0 : this.stepper.currentMove, event: e };
    if (this.ring.length < RECENT_EVENTS) this.ring.push(logged);
    else this.ring[this.next] = logged;
    this.next = (this.next + 1) % RECENT_EVENTS;
    if (this.whole === null) return;
    if (this.whole.length < RUN_EVENTS_CAP) this.whole.push(logged);
    else this.cut = true;
  }

  /** Starts keeping every event (a run explored from its start). */
  recordWhole(): void {
    this.whole = [];
    this.cut = false;
  }

  /** Stops keeping every event; what was kept, in move order. */
  takeWhole(): LoggedEvent[] {
    const all = this.whole ?? [];
    this.whole = null;
    return all;
  }

  /** The recent events at or before move `upTo`, oldest first, at most `limit`. */
  recent(upTo: number, limit = RECENT_EVENTS): LoggedEvent[] {
    const ordered = this.ring.length < RECENT_EVENTS ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.filter((l) => l.move <= upTo).slice(-limit);
  }
}
