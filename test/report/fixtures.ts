/** A synthetic run and sweep for report tests (no System needed). */
import type { Sample, TimeSeries } from "../../src/sim/recorder.js";
import type { RunResult } from "../../src/sim/scenario/result.js";
import type { SweepResult } from "../../src/sim/sweep/sweep.js";
import { newVmStat, newVmm386Stat } from "../../src/kernel/vmstat.js";

export function syntheticSeries(n = 20): TimeSeries {
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    samples.push({
      accesses: i * 1000,
      references: i * 1000,
      ticks: i,
      faults: { total: i * 12, demandZero: i * 5, swapIn: i * 4, cow: i * 3, stack: 0, heap: 0, segv: 0 },
      tlbHits: i * 900,
      tlbMisses: i * 100,
      pswpin: i * 4,
      pswpout: i * 6,
      swapPages: i * 2,
      processes: [
        { pid: 1, resident: 10 + i, workingSet: 8 + i, swapped: i },
        ...(i > 5 ? [{ pid: 2, resident: i, workingSet: i - 1, swapped: i }] : []),
      ],
      others: { count: 0, resident: 0, workingSet: 0, swapped: 0 },
    });
  }
  return { samples, labels: { 1: "parent", 2: "child<x>" } };
}

export function syntheticRun(): RunResult {
  const series = syntheticSeries();
  const last = series.samples[series.samples.length - 1];
  return {
    title: "Fork & <COW>",
    description: "A parent forks a child; both write.",
    source: "examples/fork-cow.yaml",
    machine: { ram: "4M", swap: "16M", cpu: "i486", policy: "clock", tlb: "32 entries, 4-way" },
    stats: {
      accesses: last.accesses,
      references: last.references,
      ticks: last.ticks,
      faults: last.faults,
      vmstat: { ...newVmStat(), pgfault: last.faults.total, pgmajfault: 76, pswpin: 76, pswpout: 114 },
      vmm386: { ...newVmm386Stat(), cow_copy: 12, swapcache_hit: 3 },
      tlb: {
        enabled: true,
        translations: last.tlbHits + last.tlbMisses,
        hits: last.tlbHits,
        misses: last.tlbMisses,
        walks: last.tlbMisses,
        invlpgs: 0,
        flushes: 3,
        globalKept: 0,
      },
      tasks: { created: 2, running: 0, peak: 2, pidMax: 32768, forkFailed: 0, forkFailedAtPidLimit: 0 },
      psi: {
        some: { avg10: 41.25, avg60: 12.5, avg300: 2.75, total: 9_500_000 },
        full: { avg10: 3.1, avg60: 0.85, avg300: 0.17, total: 1_200_000 },
      },
    },
    processes: [
      { pid: 1, name: "parent", parent: 0, state: "exited", exitCode: 0, faultReport: null, summary: "exited(0)", throttledTicks: 0, stalledTicks: 8.3 },
      {
        pid: 2,
        name: "child<x>",
        parent: 1,
        state: "killed",
        exitCode: null,
        faultReport: { pid: 2, address: 0x10, errorCode: 4, access: "read", mode: "user", reason: "no mapping" },
        summary: "killed at 0x00000010 (user read, not present): no mapping",
        throttledTicks: 2,
        stalledTicks: 1.2,
      },
    ],
    series,
    strictTlb: { count: 1, messages: ["stale entry for 0x40000000"] },
    panic: null,
    notes: ["brk refused at step 3"],
    throttleSkips: 0,
  };
}

export function syntheticSweep(): SweepResult {
  const sizes = [8, 16, 32, 64];
  const policies = ["clock", "lru"];
  return {
    title: "Sweep",
    source: "trace.refs",
    axis: "userFrames",
    policies,
    sizes,
    machine: { tlb: "off" },
    points: policies.flatMap((policy, j) =>
      sizes.map((size) => ({
        policy,
        size,
        label: `${size} frames`,
        references: 1000,
        faults: Math.round(800 / size) * 10 + j,
        missRatio: (Math.round(800 / size) * 10 + j) / 1000,
        majorFaults: 0,
        killed: 0,
      })),
    ),
  };
}
