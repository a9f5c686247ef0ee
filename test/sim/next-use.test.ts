import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pageKey } from "../../src/kernel/vmm.js";
import { NEVER, PageString, linkNextUses } from "../../src/sim/next-use.js";
import { NextUseTable } from "../../src/sim/policy-replay.js";
import { RecordedFuture, ReferenceString } from "../../src/sim/scenario/opt-future.js";
import { OutputFileError } from "../../src/sim/output-file.js";
import { TraceFuture } from "../../src/sim/trace/trace-future.js";

describe("next uses", () => {
  it("a page string grows past its capacity and keeps every page in order", () => {
    const s = new PageString(16);
    for (let i = 0; i < 1000; i++) s.push(i * 7);
    expect(s.length).toBe(1000);
    expect(s.at(999)).toBe(999 * 7);
    expect(Array.from(s.view().subarray(0, 4))).toEqual([0, 7, 14, 21]);
  });

  it("the backward pass links each reference to the next to its page, across chunks and in place", () => {
    const next = new Int32Array(6);
    const firstOf = new Int32Array(4).fill(NEVER);
    linkNextUses([Int32Array.of(1, 2), Int32Array.of(1, 3), Int32Array.of(2, 1)], next, firstOf);
    expect(Array.from(next)).toEqual([2, 4, 5, NEVER, NEVER, NEVER]);
    expect(Array.from(firstOf)).toEqual([NEVER, 0, 1, 3]);
    const inPlace = Int32Array.of(1, 2, 1, 3, 2, 1);
    linkNextUses([inPlace], inPlace, new Int32Array(4).fill(NEVER));
    expect(Array.from(inPlace)).toEqual(Array.from(next));
  });

  it("a trace's future spilled past its memory budget gives the same next uses, from a file unlinked as soon as it was made", () => {
    let x = 777;
    const pages = Array.from({ length: 5000 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 20) % 301);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-future-"));
    try {
      const spillPath = path.join(dir, "future.bin");
      const spilled = new TraceFuture({ spillPath, memoryReferences: 1000, blockReferences: 256 });
      const kept = new TraceFuture({ blockReferences: 256 });
      for (const p of pages) {
        spilled.record(p);
        kept.record(p);
      }
      spilled.seal();
      kept.seal();
      expect(spilled.spilled && !kept.spilled).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([]); // nothing left behind, whatever ends the process
      const table = NextUseTable.build([Int32Array.from(pages)]);
      const expected = Array.from(table.next, (n) => (n === NEVER ? Infinity : n));
      const fromSpilled: number[] = [];
      const fromKept: number[] = [];
      for (const p of pages) {
        spilled.advance(p);
        kept.advance(p);
        fromSpilled.push(spilled.nextUse(p));
        fromKept.push(kept.nextUse(p));
      }
      expect(fromSpilled).toEqual(expected);
      expect(fromKept).toEqual(expected);
      spilled.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a future that cannot make its spill file says which file and why, as bad output does", () => {
    const spillPath = path.join(os.tmpdir(), "vmm386-no-such-folder", "future.bin");
    const future = new TraceFuture({ spillPath, memoryReferences: 256, blockReferences: 256 });
    const fill = (): void => {
      for (let i = 0; i < 600; i++) future.record(i % 7);
    };
    expect(fill).toThrow(OutputFileError);
    expect(fill).toThrow(/future\.bin.*OPT's temporary copy of the reference string/);
  });

  it("a trace's future, a policy-only table and a scenario's recorded future agree reference by reference", () => {
    let x = 12345;
    const pages = Array.from({ length: 3000 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 20) % 97);
    const trace = new TraceFuture();
    const recorded = new ReferenceString();
    // A scenario's keys are sparse (space 3): the recorded string numbers them densely.
    const key = (page: number): number => pageKey(3, page * 4096);
    for (const p of pages) {
      trace.record(p);
      recorded.note(key(p));
    }
    trace.seal();
    const table = NextUseTable.build([Int32Array.from(pages)]);
    const scenario = new RecordedFuture(recorded);
    const fromTrace: number[] = [];
    const fromScenario: number[] = [];
    const fromTable = Array.from(table.next, (n) => (n === NEVER ? Infinity : n));
    for (const p of pages) {
      trace.advance(p);
      scenario.note(key(p));
      fromTrace.push(trace.nextUse(p));
      fromScenario.push(scenario.nextUse(key(p)));
    }
    expect(fromTrace).toEqual(fromTable);
    expect(fromScenario).toEqual(fromTable);
    expect(scenario.matched).toBe(true);
    expect(fromTable.filter((n) => n === Infinity)).toHaveLength(new Set(pages).size);
  });
});
