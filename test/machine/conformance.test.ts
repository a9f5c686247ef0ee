import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseVectors, runVectors, VectorFormatError, type ConformanceFailure } from "../../src/machine/conformance.js";

const FIXTURE = new URL("../fixtures/conformance/i386-paging.json", import.meta.url);
const text = readFileSync(FIXTURE, "utf8");

/** A one-scenario vector file: a 4 KiB user page at 0x00400000 -> frame 0x500, read at CPL 3. */
function tiny(patch: (s: Record<string, unknown>) => void = () => {}): string {
  const scenario: Record<string, unknown> = {
    id: "t-1",
    tags: [],
    cr0_wp: 0,
    cr4_pse: 0,
    cr3: 0x200000,
    init: [
      [0x200004, 0x201007],
      [0x201000, 0x500007],
    ],
    accesses: [{ va: 0x00400010, size: 4, write: false, cpl: 3 }],
    expect: {
      accesses: [{ ok: true, phys: [0x500010] }],
      final: [
        [0x200004, 0x201027],
        [0x201000, 0x500027],
      ],
    },
  };
  patch(scenario);
  return JSON.stringify({ schema: "i386-paging-vectors/1", phys_mem_bytes: 16777216, scenarios: [scenario] }, null, 1);
}

function formatError(source: string): string {
  try {
    parseVectors(source, "vectors.json");
  } catch (e) {
    expect(e).toBeInstanceOf(VectorFormatError);
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("conformance vectors recorded on QEMU and Bochs", () => {
  const vectors = parseVectors(text, "i386-paging.json");

  it("all 1521 scenarios pass on a P6 model", () => {
    const summary = runVectors(vectors);
    expect(summary).toEqual({ scenarios: 1521, accesses: 5332, passed: 1521, failed: 0, failures: [] });
  });

  it("pass as well on a Pentium, with the TLB off, with a one-entry TLB and in strict mode", () => {
    for (const options of [{ cpu: "pentium" as const }, { tlb: "off" as const }, { tlb: { entries: 1, ways: 1 } }, { strict: true }]) {
      expect(runVectors(vectors, options).failed).toBe(0);
    }
  });
});

describe("conformance runner", () => {
  it("passes a hand-made scenario that matches the model", () => {
    expect(runVectors(parseVectors(tiny(), "t.json")).passed).toBe(1);
  });

  it("reports an access whose expectation is wrong, with expected and actual", () => {
    const source = tiny((s) => {
      (s.expect as { accesses: unknown[] }).accesses = [{ ok: false, error_code: 5, cr2: 0x00400010 }];
    });
    const summary = runVectors(parseVectors(source, "t.json"));
    expect(summary).toMatchObject({ scenarios: 1, passed: 0, failed: 1 });
    expect(summary.failures).toEqual<ConformanceFailure[]>([
      { id: "t-1", access: 0, expected: { ok: false, error_code: 5, cr2: 0x00400010 }, actual: { ok: true, phys: [0x500010] } },
    ]);
  });

  it("reports a final paging word that differs from both final and final_alt", () => {
    const source = tiny((s) => {
      const expect = s.expect as { final: number[][] };
      expect.final = [
        [0x200004, 0x201007],
        [0x201000, 0x500027],
      ];
    });
    const summary = runVectors(parseVectors(source, "t.json"));
    expect(summary.failures).toEqual([{ id: "t-1", finalWord: 0x200004, expected: 0x201007, actual: 0x201027 }]);
  });

  it("names the file, line, scenario and key of a malformed vector", () => {
    const source = tiny((s) => {
      (s.accesses as { size: number }[])[0].size = 3;
    });
    const line = source.split("\n").findIndex((l) => l.includes('"id": "t-1"')) + 1;
    expect(formatError(source)).toBe(`vectors.json:${line}: scenario 0 (t-1): accesses[0].size must be 1, 2 or 4`);
  });

  it("names a repeated id's own line, not the line of its first use", () => {
    const one = JSON.parse(tiny()) as { scenarios: Record<string, unknown>[] };
    const other = { ...one.scenarios[0], id: "t-2" };
    one.scenarios = [one.scenarios[0], other, { ...one.scenarios[0] }];
    const source = JSON.stringify(one, null, 1);
    const lines = source.split("\n");
    const line = lines.findLastIndex((l) => l.includes('"id": "t-1"')) + 1;
    expect(line).toBeGreaterThan(lines.findIndex((l) => l.includes('"id": "t-1"')) + 1);
    expect(formatError(source)).toBe(`vectors.json:${line}: scenario 2 (t-1): id is used by an earlier scenario`);
  });

  it("rejects a file without scenarios instead of passing it", () => {
    const empty = JSON.stringify({ schema: "i386-paging-vectors/1", phys_mem_bytes: 16777216, scenarios: [] });
    expect(formatError(empty)).toBe("vectors.json: scenarios is empty: a vector file must hold at least one scenario");
  });

  it("rejects broken files with one line saying what is wrong", () => {
    expect(formatError('{"schema": "i386-paging-vectors/1",\n "scenarios" 2}')).toMatch(/^vectors\.json:2:\d+: not valid JSON: /);
    expect(formatError('{"schema": "i386-paging-vectors/1",\n "scenarios": [}')).toBe("vectors.json: not valid JSON: Unexpected token '}'");
    expect(formatError("[]")).toBe("vectors.json: the file must hold one JSON object");
    expect(formatError(tiny().replace("i386-paging-vectors/1", "v2"))).toBe('vectors.json: schema must be "i386-paging-vectors/1", got "v2"');
    expect(formatError(tiny().replace("16777216", "1000"))).toMatch(/^vectors\.json: phys_mem_bytes: RAM size 1000/);
    expect(formatError(tiny((s) => delete s.expect))).toMatch(/scenario 0 \(t-1\): expect must be an object$/);
    expect(formatError(tiny((s) => (s.cr3 = 0x200001)))).toMatch(/cr3 must be a 4 KiB aligned address inside physical memory$/);
    expect(formatError(tiny((s) => ((s.expect as { final: unknown[] }).final = [])))).toMatch(/expect\.final must list the 2 init addresses$/);
    expect(formatError(tiny((s) => ((s.expect as { accesses: unknown[] }).accesses = [])))).toMatch(/expect\.accesses must be an array with one outcome per access \(1\)$/);
    expect(formatError(tiny((s) => ((s.init as number[][])[0][1] = -1)))).toMatch(/init\[0\]\[1\] must be an integer in 0\.\.4294967295$/);
  });
});
