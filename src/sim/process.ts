/**
 * A process as the kernel's client: an id, its address space, and how it
 * ended. Everything about its memory lives in the VMM's page tables and the
 * machine's memory; the process only holds the handle.
 */

import type { AddressSpace } from "../kernel/vmm.js";

/** What a fault that could not be resolved was: enough to debug it from a report. */
export interface FaultReport {
  readonly pid: number;
  /** The faulting linear address (CR2). */
  readonly address: number;
  /** The #PF error code (P, W, U, RSVD bits). */
  readonly errorCode: number;
  readonly access: "read" | "write";
  readonly mode: "user" | "supervisor";
  /** Why the kernel could not resolve it. */
  readonly reason: string;
}

/** How a process stands: still running, exited with a status, or killed by a fault. */
export type ProcessStatus =
  | { readonly state: "running" }
  | { readonly state: "exited"; readonly code: number }
  | { readonly state: "killed"; readonly report: FaultReport };

/** A snapshot of one process, for reports and tests. */
export interface ProcessInfo {
  readonly pid: number;
  /** The parent's pid, or 0 for a spawned process. */
  readonly parent: number;
  readonly status: ProcessStatus;
  /** Timer ticks on which the kernel asked to throttle it (thrashing). */
  readonly throttledTicks: number;
  /** Present user pages it maps (the kernel's count; a shared COW page counts for each sharer), 0 once ended. */
  readonly resident: number;
  /** Its pages in swap (SWAPPED entries, the kernel's count), 0 once ended. */
  readonly swapped: number;
  /** Ticks it waited for swap I/O (its reads, its reclaim's writes) by the latency model. */
  readonly stalledTicks: number;
  /** Working-set estimate at the last sample (pages), 0 once ended. */
  readonly wsPages: number;
  /** The largest estimate and the number of samples the kernel took, 0 once ended. */
  readonly wsPeak: number;
  readonly wsSamples: number;
  /** Physical address of its page directory (CR3 when it runs), 0 once ended. */
  readonly pdPhys: number;
}

/** The System's record of a process. */
export class Process {
  readonly pid: number;
  readonly parent: number;
  /** null once the process has ended and its address space is destroyed. */
  space: AddressSpace | null;
  status: ProcessStatus = { state: "running" };
  throttledTicks = 0;
  /** Set when it ends (the kernel keeps the count while its space lives). */
  stalledTicks = 0;

  constructor(pid: number, parent: number, space: AddressSpace) {
    this.pid = pid;
    this.parent = parent;
    this.space = space;
  }

  get running(): boolean {
    return this.status.state === "running";
  }

  info(): ProcessInfo {
    return {
      pid: this.pid,
      parent: this.parent,
      status: this.status,
      throttledTicks: this.throttledTicks,
      resident: this.space?.rss ?? 0,
      swapped: this.space?.swapped ?? 0,
      stalledTicks: this.stalledTicks,
      wsPages: this.space?.wsPages ?? 0,
      wsPeak: this.space?.wsPeak ?? 0,
      wsSamples: this.space?.wsSamples ?? 0,
      pdPhys: this.space?.pdPhys ?? 0,
    };
  }
}

/** "killed at 0x00000010 (user read, not present): <reason>" — one line for logs and the CLI. */
export function describeStatus(status: ProcessStatus): string {
  switch (status.state) {
    case "running":
      return "running";
    case "exited":
      return `exited(${status.code})`;
    case "killed": {
      const r = status.report;
      const kind = (r.errorCode & 1) !== 0 ? "protection" : "not present";
      return `killed at 0x${(r.address >>> 0).toString(16).padStart(8, "0")} (${r.mode} ${r.access}, ${kind}): ${r.reason}`;
    }
  }
}
