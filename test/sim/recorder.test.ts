/**
 * The recorder's bounds: a sample names the largest processes and sums the
 * rest, a long run keeps a bounded, evenly spread series that ends with the
 * latest state, and labels are kept only for the pids samples name.
 */
import { describe, expect, it } from "vitest";
import { MAX_SAMPLES, PROCESSES_KEPT, Recorder, type Observable } from "../../src/sim/recorder.js";

/** A stand-in System: counters that the test moves, and processes with set resident sizes. */
class FakeSystem implements Observable {
  accesses = 0;
  faults = 0;
  readonly resident = new Map<number, number>();
  readonly vmm = { swap: null };

  stats(): ReturnType<Observable["stats"]> {
    const f = this.faults;
    return {
      accesses: this.accesses,
      references: this.accesses,
      ticks: 0,
      faults: { total: f, demandZero: f, swapIn: 0, cow: 0, stack: 0, heap: 0, segv: 0 },
      vmstat: { pswpin: 0, pswpout: 0 },
      tlb: { hits: 0, misses: 0 },
    };
  }

  process(pid: number): ReturnType<Observable["process"]> {
    const resident = this.resident.get(pid);
    return { resident: resident ?? 0, swapped: 1, wsPages: 0, status: { state: resident === undefined ? "exited" : "running" } };
  }
}

describe("recorder", () => {
  it("a sample names the processes with the most resident pages, in pid order, and sums the others", () => {
    const sys = new FakeSystem();
    const rec = new Recorder(sys, 1);
    for (let pid = 1; pid <= 20; pid++) {
      sys.resident.set(pid, (pid * 7) % 20); // 7, 14, 1, 8, 15, 2, ... every size from 0 to 19 once
      rec.track(pid, `p${pid}`);
    }
    rec.sample();
    const [s] = rec.series.samples;
    const largest = [...sys.resident].sort((a, b) => b[1] - a[1]).slice(0, PROCESSES_KEPT).map(([pid]) => pid).sort((a, b) => a - b);
    expect(s.processes.map((p) => p.pid)).toEqual(largest);
    expect(s.processes.map((p) => p.resident).sort((a, b) => b - a)).toEqual([19, 18, 17, 16, 15, 14, 13, 12]);
    expect(s.others).toEqual({ count: 12, resident: (11 * 12) / 2, workingSet: 0, swapped: 12 });
    expect(s.swapPages).toBe(20);
    expect(Object.keys(rec.series.labels).map(Number).sort((a, b) => a - b)).toEqual(largest);
  });

  it("a process that ended is dropped at the next sample, tracked or not", () => {
    const sys = new FakeSystem();
    const rec = new Recorder(sys, 1);
    sys.resident.set(1, 5);
    sys.resident.set(2, 3);
    rec.track(1, "a");
    rec.track(2, "b");
    rec.sample();
    sys.resident.delete(2);
    rec.sample();
    expect(rec.series.samples.map((s) => s.processes.map((p) => p.pid))).toEqual([[1, 2], [1]]);
  });

  it("a long run keeps at most MAX_SAMPLES + 1 points, evenly spread, with exact counters and the latest state last", () => {
    const sys = new FakeSystem();
    const rec = new Recorder(sys, 1);
    sys.resident.set(1, 1);
    rec.track(1, "a");
    const requests = 40 * MAX_SAMPLES + 7;
    for (let i = 0; i < requests; i++) {
      sys.accesses = i * 10;
      sys.faults = i * 3;
      sys.resident.set(1, i);
      rec.sample();
      if (rec.series.samples.length > MAX_SAMPLES + 1) expect(rec.series.samples.length, `after sample ${i}`).toBeLessThanOrEqual(MAX_SAMPLES + 1);
    }
    const samples = rec.series.samples;
    expect(samples.length).toBeGreaterThan(MAX_SAMPLES / 4);
    expect(samples[0].accesses).toBe(0);
    const last = samples[samples.length - 1];
    expect([last.accesses, last.faults.total, last.processes[0].resident]).toEqual([(requests - 1) * 10, (requests - 1) * 3, requests - 1]);
    const gaps = new Set(samples.slice(1, -1).map((s, i) => s.accesses - samples[i].accesses));
    expect(gaps.size).toBe(1); // every kept interval is as long as the others; only the latest state may come sooner
    for (const s of samples) expect(s.faults.total * 10).toBe(s.accesses * 3); // a merged point is a real state, counters exact
  });

  it("keeps labels only for pids the samples name, however many processes came and went", () => {
    const sys = new FakeSystem();
    const rec = new Recorder(sys, 1);
    for (let pid = 1; pid <= 20_000; pid++) {
      sys.resident.set(pid, pid % 13);
      rec.track(pid, `child ${pid}`);
      if (pid > 50) sys.resident.delete(pid - 50); // 50 alive at once
      sys.accesses = pid;
      rec.sample();
    }
    const named = new Set(rec.series.samples.flatMap((s) => s.processes.map((p) => p.pid)));
    expect(Object.keys(rec.series.labels).map(Number).sort((a, b) => a - b)).toEqual([...named].sort((a, b) => a - b));
    expect(named.size).toBeLessThanOrEqual((MAX_SAMPLES + 1) * PROCESSES_KEPT);
    expect(rec.series.samples.at(-1)?.others.count).toBe(50 - PROCESSES_KEPT);
  });
});
