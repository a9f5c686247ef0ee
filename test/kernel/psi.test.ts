/**
 * Pressure stall information (kernel/sched/psi.c) on the swap-latency
 * model, rule by rule: what a read and a write cost, how owed stalls are
 * served one tick at a time, some and full across processes, the 2-tick
 * periods and calc_load averages worked out by hand, the totals in
 * microseconds, and the PSI-triggered throttle; then the kernel charging
 * its faults and its reclaim.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SWAP_LATENCY, Psi, formatPressure, psiShouldThrottle } from "../../src/kernel/psi.js";
import { newAddressSpaceRecord } from "../../src/kernel/address-space-record.js";
import { bootTestSystem, read32, spawnWithHeap, write32 } from "./helpers.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";

const space = (id: number) => newAddressSpaceRecord(id, 0, 0, 0);

describe("PSI: stalls, some and full", () => {
  it("charges a read and a write their latency, served at most a tick per tick", () => {
    const psi = new Psi({ readTicks: 0.75, writeTicks: 0.5 });
    const a = space(1);
    psi.chargeRead(a);
    psi.chargeWrite(a);
    expect(psi.stalledTicks(1)).toBe(1.25);
    psi.tick(1, [a]); // 1 of the 1.25 owed
    psi.tick(2, [a]); // the last 0.25
    expect(psi.groupOf(1)?.some.total).toBe(1_250_000); // microseconds, a tick as a second
    expect(psi.system.some.total).toBe(1_250_000);
    expect(psi.system.full.total).toBe(1_250_000); // alone, every stall is full
  });

  it("counts some as the longest stall of the tick and full as the shortest across live processes", () => {
    const psi = new Psi({ readTicks: 0.5, writeTicks: 0.25 });
    const [a, b, c] = [space(1), space(2), space(3)];
    psi.chargeRead(a); // a owes 0.5
    psi.chargeWrite(b); // b owes 0.25, c nothing
    psi.tick(1, [a, b, c]);
    expect(psi.system.some.total).toBe(500_000);
    expect(psi.system.full.total).toBe(0); // c was running
    psi.chargeRead(c);
    psi.chargeRead(a);
    psi.chargeRead(b);
    psi.tick(2, [a, b, c]); // all three stall half the tick
    expect(psi.system.full.total).toBe(500_000);
    expect(psi.system.some.total).toBe(1_000_000);
  });

  it("averages each 2-tick period's whole percent with calc_load, EXP_10s/60s/300s in 11-bit fixed point", () => {
    const psi = new Psi({ readTicks: 1, writeTicks: 1 });
    const a = space(1);
    psi.chargeRead(a);
    psi.tick(2, [a]); // period: 1 of 2 ticks stalled = 50 %, 50 · 2048 = 102400
    // calc_load(0, 1677, 102400) = (102400 · 371 + 2047) >> 11 = 18550; as psi_show prints it: 9.05
    // avg60: (102400 · 67 + 2047) >> 11 = 3350 -> 1.63; avg300: (102400 · 14 + 2047) >> 11 = 700 -> 0.34
    const p = psi.system.pressure();
    expect(p.some).toEqual({ avg10: 9.05, avg60: 1.63, avg300: 0.34, total: 1_000_000 });
    expect(formatPressure(p)).toBe(
      "some avg10=9.05 avg60=1.63 avg300=0.34 total=1000000\nfull avg10=9.05 avg60=1.63 avg300=0.34 total=1000000",
    );
    psi.tick(4, [a]); // an idle period decays: (18550 · 1677) >> 11 = 15189 -> 7.41
    expect(psi.system.pressure().some.avg10).toBe(7.41);
  });

  it("defaults to a 7,200 rpm disk's ~12 ms per page, a tick as a second, summed exactly in microseconds", () => {
    expect(DEFAULT_SWAP_LATENCY).toEqual({ readTicks: 0.012, writeTicks: 0.012 });
    const psi = new Psi(DEFAULT_SWAP_LATENCY);
    for (let i = 0; i < 4184; i++) psi.chargeRead(space(1));
    expect(psi.stalledTicks(1)).toBe(50.208);
  });

  it("throttles by PSI when the process's own some avg10 reaches the threshold (a trigger, systemd-oomd)", () => {
    const psi = new Psi({ readTicks: 2, writeTicks: 2 });
    const [a, b] = [space(1), space(2)];
    psi.chargeRead(a);
    psi.tick(2, [a, b]); // a: 100 % over the period -> avg10 = (204800 · 371 + 2047) >> 11 = 37100 -> 18.11
    expect(psi.groupOf(1)?.someAvg10).toBe(18.11);
    expect(psiShouldThrottle(psi, 1, 18)).toBe(true);
    expect(psiShouldThrottle(psi, 1, 18.2)).toBe(false);
    expect(psiShouldThrottle(psi, 2, 1)).toBe(false); // b never stalled
  });
});

describe("PSI in the kernel", () => {
  it("charges each major fault a read and each page direct reclaim writes a write, to the faulting space", () => {
    const sys = bootTestSystem({ userFrameLimit: 2, swapLatency: { readTicks: 0.5, writeTicks: 0.25 } });
    const as = spawnWithHeap(sys, 3);
    write32(sys, USER_HEAP_BASE, 1);
    write32(sys, USER_HEAP_BASE + 4096, 2);
    write32(sys, USER_HEAP_BASE + 8192, 3); // evicts one page: one write
    expect(sys.vmm.stalledTicks(as)).toBe(0.25);
    expect(read32(sys, USER_HEAP_BASE)).toBe(1); // evicts another (a write), reads page 0 back (a read)
    expect(sys.vmm.stat).toMatchObject({ pswpout: 2, pswpin: 1 });
    expect(sys.vmm.stalledTicks(as)).toBe(0.25 + 0.25 + 0.5);
    sys.vmm.tick(1);
    expect(sys.vmm.pressure.some.total).toBe(1_000_000);
    expect(sys.vmm.pressureOf(as)?.some.total).toBe(1_000_000);
  });

  it("does not charge proactive reclaim to anyone", () => {
    const sys = bootTestSystem({ userFrameLimit: 8 });
    const as = spawnWithHeap(sys, 2);
    write32(sys, USER_HEAP_BASE, 1);
    expect(sys.vmm.reclaim(1)).toBe(1);
    expect(sys.vmm.stalledTicks(as)).toBe(0);
  });

  it("throttles by the seed's rule unless told to use PSI", () => {
    const seed = bootTestSystem({ userFrameLimit: 2, swapLatency: { readTicks: 1, writeTicks: 1 } });
    const psi = bootTestSystem({ userFrameLimit: 2, swapLatency: { readTicks: 1, writeTicks: 1 }, throttle: { kind: "psi", someAvg10: 10 } });
    for (const sys of [seed, psi]) {
      const as = spawnWithHeap(sys, 4);
      for (let i = 0; i < 4; i++) write32(sys, USER_HEAP_BASE + i * 4096, i); // 2 writes: 2 ticks owed
      sys.vmm.tick(1);
      sys.vmm.tick(2); // a period fully stalled: some avg10 18.11
      expect(sys.vmm.shouldThrottle(as)).toBe(sys === psi); // the seed's needs over 50 faults
    }
  });
});
