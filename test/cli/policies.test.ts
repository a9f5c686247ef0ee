import { describe, expect, it } from "vitest";
import { POLICY_INFO, POLICY_NAMES } from "../../src/kernel/replacement/index.js";
import { cli } from "./cli-helper.js";

describe("vmm386 policies", () => {
  it("lists every policy with its parameters, defaults and reference, as the policies declare them", async () => {
    const r = await cli("policies", "--json");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; default: boolean; paper: string; libCacheSim: string | null; params: { key: string; default: number }[] }[];
    expect(list.map((p) => p.name)).toEqual([...POLICY_NAMES]);
    expect(list.filter((p) => p.default).map((p) => p.name)).toEqual(["clock"]);
    for (const p of list) expect(p.params.map((x) => [x.key, x.default])).toEqual(POLICY_INFO[p.name as keyof typeof POLICY_INFO].params.map((x) => [x.key, x.default]));
    expect(list.find((p) => p.name === "2q")?.libCacheSim).toBe("TwoQ");
  });

  it("prints one paragraph per policy, a line per parameter with its default and libCacheSim's name", async () => {
    const text = (await cli("policies")).stdout;
    for (const name of POLICY_NAMES) expect(text).toMatch(new RegExp(`^${name}( \\(default\\))?: `, "m"));
    expect(text).toContain("2q:kin=0.25  A1in's share of the frames (FIFO of first-time pages); a number from 0 to 1; libCacheSim -e Ain-size-ratio");
  });

  it("a parameter out of range is one line naming --policy, exit code 2", async () => {
    const r = await cli("torture", "--policy", "s3-fifo:threshold=9", "--ops", "10");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: --policy: s3-fifo: threshold=9 is out of range (1 to 3)\n");
  });

  it("policy-check refuses OPT, which needs a recorded future, in one line", async () => {
    const r = await cli("policy-check", "opt");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: policy-check: opt needs a recorded future; policy-check drives policies without one\n");
  });
});
