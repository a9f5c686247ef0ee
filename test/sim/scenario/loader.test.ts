import { describe, expect, it } from "vitest";
import { parseScenario, loadScenarioFile } from "../../../src/sim/scenario/loader.js";
import { ScenarioError } from "../../../src/sim/scenario/types.js";
import { plannedWork, StepCursor } from "../../../src/sim/scenario/program.js";

function errorOf(text: string): string {
  try {
    parseScenario(text, "x.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

const one = (steps: string): string => `processes:\n  - name: a\n    steps:\n${steps}`;

describe("scenario loader", () => {
  it("names file, line and key path of an unknown step key", () => {
    expect(errorOf(one("      - brk: +64K\n      - touchh: {at: heap, length: 4K}\n"))).toBe(
      "x.yaml:5: processes[0].steps[1]: unknown key 'touchh'",
    );
  });

  it("prefers an unknown key to a missing one inside the same object", () => {
    expect(errorOf("machine:\n  tlb:\n    entriez: 3\nprocesses: [{name: a, steps: []}]\n")).toBe(
      "x.yaml:3: machine.tlb: unknown key 'entriez'",
    );
  });

  it("rejects a RAM size out of range with the line of the key", () => {
    expect(errorOf("name: t\nmachine:\n  ram: 512K\nprocesses: [{name: a, steps: []}]\n")).toBe(
      "x.yaml:3: machine.ram: RAM size 512K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G",
    );
  });

  it("rejects RAM the kernel cannot run a process in, as a size string or a number of bytes", () => {
    expect(errorOf("machine:\n  ram: 1536K\nprocesses: [{name: a, steps: []}]\n")).toMatch(/^x\.yaml:2: machine\.ram: RAM size 1536K is out of range: 1584K /);
    expect(errorOf("machine:\n  ram: 1048576\nprocesses: [{name: a, steps: []}]\n")).toBe(
      "x.yaml:2: machine.ram: 1048576 is not a RAM size from 1584K to 3G in 4K steps, such as 4M",
    );
    expect(parseScenario("machine: {ram: 1584K}\nprocesses: [{name: a, steps: []}]\n", "x.yaml").machine.ramBytes).toBe(1584 * 1024);
  });

  it("TLB shapes: problems in the user's terms, at the key written", () => {
    const tlb = (value: string): string => errorOf(`machine:\n  tlb: ${value}\nprocesses: [{name: a, steps: []}]\n`);
    expect(tlb("6")).toBe("x.yaml:2: machine.tlb: 6 entries cannot be split into 4 ways (entries must be a multiple of 4, or 1, 2 for a fully associative TLB)");
    expect(tlb("{entries: 33}")).toMatch(/^x\.yaml:2: machine\.tlb: 33 entries cannot be split into 4 ways/);
    expect(tlb("{entries: 24, ways: 6}")).toBe("x.yaml:2: machine.tlb.ways: 6 ways is not a power of two (1, 2, 4, 8, ...: the TLB's pseudo-LRU is a binary tree)");
    expect(tlb("{entries: 12, ways: 8}")).toBe("x.yaml:2: machine.tlb: 12 entries cannot be split into 8 ways (entries must be a multiple of the ways)");
    const machine = (value: string) => parseScenario(`machine: {tlb: ${value}}\nprocesses: [{name: a, steps: []}]\n`, "x.yaml").machine.tlb;
    expect(machine("2")).toEqual({ entries: 2, ways: 2 });
    expect(machine("{entries: 24, ways: 8}")).toEqual({ entries: 24, ways: 8 });
  });

  it("says what a size looks like when one is malformed", () => {
    expect(errorOf("machine:\n  swap: 16Q\nprocesses: [{name: a, steps: []}]\n")).toMatch(
      /^x\.yaml:2: machine\.swap: "16Q" is not a size/,
    );
  });

  it("lists the allowed values of an enum", () => {
    expect(errorOf(one("      - touch: {at: heap, length: 4K, pattern: zigzag}\n"))).toMatch(
      /^x\.yaml:4: processes\[0\]\.steps\[0\]\.touch\.pattern: "zigzag" is not one of sequential, random/,
    );
  });

  it("reports a missing required key", () => {
    expect(errorOf(one("      - mmap: {at: shared}\n"))).toBe("x.yaml:4: processes[0].steps[0].mmap: missing key 'length'");
  });

  it("rejects a fork of a process that is not listed", () => {
    expect(errorOf(one("      - fork: ghost\n"))).toBe(
      "x.yaml:4: processes[0].steps[0].fork: no process named 'ghost' is listed under processes",
    );
  });

  it("rejects a step with two keys", () => {
    expect(errorOf(one("      - {tick: 1, exit: 0}\n"))).toMatch(/^x\.yaml:4: processes\[0\]\.steps\[0\]: expected exactly one key/);
  });

  it("reports YAML syntax errors with their line", () => {
    expect(errorOf("processes:\n  - name: a\n    steps: [\n")).toMatch(/^x\.yaml:\d+: YAML: /);
  });

  it("names a missing file", () => {
    expect(() => loadScenarioFile("test/fixtures/no-such-scenario.yaml")).toThrow(
      "test/fixtures/no-such-scenario.yaml: no such file",
    );
  });

  it("resolves sizes, addresses, machine and forks", () => {
    const s = parseScenario(
      [
        "name: t",
        "machine: {ram: 4M, swap: 16M, cpu: i486, policy: lru, tlb: 32, userFrames: 100, strictTlb: true}",
        "processes:",
        "  - name: parent",
        "    steps:",
        "      - brk: +64K",
        "      - touch: {at: heap+4K, length: 8K, access: write, pattern: strided}",
        "      - fork: child",
        "      - exit: 3",
        "  - name: child",
        "    steps:",
        "      - touch: {at: stack-8K, length: 8K}",
      ].join("\n"),
      "t.yaml",
    );
    expect(s.machine).toEqual({
      ramBytes: 4 << 20,
      swapBytes: 16 << 20,
      cpu: "i486",
      policy: "lru",
      tlb: { entries: 32, ways: 4 },
      userFrames: 100,
      strictTlb: true,
    });
    const [parent, child] = s.processes;
    expect(parent.forkedBy).toBeNull();
    expect(child.forkedBy).toBe("parent");
    expect(parent.steps[0]).toMatchObject({ kind: "brk", to: null, delta: 65536, line: 6 });
    expect(parent.steps[1]).toMatchObject({ kind: "touch", at: 0x40001000, spec: { length: 8192, stride: 4096, access: "write" } });
    expect(child.steps[0]).toMatchObject({ kind: "touch", at: 0xbfffe000 });
    expect(parent.steps[3]).toMatchObject({ kind: "exit", status: 3 });
  });

  it("keeps a repeat block as a block, whose steps run as if written out that many times", () => {
    const s = parseScenario(one("      - repeat: {times: 3, steps: [{tick: 1}, {repeat: {times: 2, steps: [{yield: null}]}}]}\n      - exit: 0\n"), "x.yaml");
    expect(s.processes[0].steps.map((st) => st.kind)).toEqual(["repeat", "exit"]);
    expect(s.processes[0].steps[0]).toMatchObject({ kind: "repeat", times: 3, line: 4, path: "processes[0].steps[0]" });
    const cursor = new StepCursor(s.processes[0].steps);
    const kinds: string[] = [];
    for (let step = cursor.take(); step !== null; step = cursor.take()) kinds.push(step.kind);
    expect(kinds).toEqual(["tick", "yield", "yield", "tick", "yield", "yield", "tick", "yield", "yield", "exit"]);
  });

  it("takes a repeat of 10^9 as written (a block, nothing unrolled) and refuses one above, naming file, line and key", () => {
    const s = parseScenario(one("      - repeat: {times: 1000000000, steps: [{yield: null}, {yield: null}]}\n"), "x.yaml");
    expect(plannedWork(s)).toEqual({ accesses: 0, steps: 2e9, processes: 1 });
    expect(errorOf(one("      - brk: +4K\n      - repeat: {times: 1000000001, steps: [{yield: null}]}\n"))).toBe(
      "x.yaml:5: processes[0].steps[1].repeat.times: 1000000001: must be <= 1000000000",
    );
  });

  it("rejects processes whose forks form a cycle", () => {
    const text = "processes:\n  - name: a\n    steps: [{fork: b}]\n  - name: b\n    steps: [{fork: a}]\n";
    expect(errorOf(text)).toMatch(/is never created/);
  });
});
