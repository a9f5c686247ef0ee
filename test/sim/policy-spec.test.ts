import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { POLICY_NAMES } from "../../src/kernel/replacement/index.js";
import { checkPolicy } from "../../src/sim/policy-check.js";
import { checkPolicyChoice, parsePolicyList, parsePolicySpec, policyLabel } from "../../src/sim/policy-spec.js";
import { System } from "../../src/sim/system.js";
import { parseScenario } from "../../src/sim/scenario/loader.js";
import { ScenarioError } from "../../src/sim/scenario/types.js";

function problemOf(text: string): string {
  const parsed = parsePolicySpec(text);
  return "problem" in parsed ? parsed.problem : "(parsed)";
}

describe("policy specs", () => {
  it("a name alone stays a name; parameters make a spec; its label reads as it was written", () => {
    expect(parsePolicySpec("lru")).toEqual({ choice: "lru" });
    const parsed = parsePolicySpec(" s3-fifo:small=0.2, threshold=1 ");
    expect(parsed).toEqual({ choice: { name: "s3-fifo", params: { small: 0.2, threshold: 1 } } });
    if ("choice" in parsed) expect(policyLabel(parsed.choice)).toBe("s3-fifo:small=0.2,threshold=1");
  });

  it("a path is a plugin, resolved against the base folder, with its parameters checked when it loads", () => {
    expect(parsePolicySpec("./p.js:k=2", "/some/dir")).toEqual({ choice: { plugin: "/some/dir/p.js", given: "./p.js", params: { k: 2 } } });
    expect(parsePolicySpec("plugins/p.mjs")).toEqual({ choice: { plugin: resolve("plugins/p.mjs"), given: "plugins/p.mjs" } });
  });

  it("every problem is one line naming the policy, the key and what is allowed", () => {
    expect(problemOf("lfu-da")).toMatch(/^unknown policy 'lfu-da' \(clock, fifo, .*clock-pro, linux, mglru, or a plugin's path \.\/NAME\.js\)$/);
    expect(problemOf("2q:kin=1.5")).toBe("2q: kin=1.5 is out of range (0 to 1)");
    expect(problemOf("2q:size=3")).toBe("policy 2q has no parameter 'size' (kin, kout)");
    expect(problemOf("lru:k=1")).toBe("policy lru has no parameter 'k' (it has none)");
    expect(problemOf("slru:segments=2.5")).toBe("slru: segments=2.5 is not a whole number");
    expect(problemOf("2q:kin=abc")).toBe("2q: kin='abc' is not a number");
    expect(problemOf("2q:kin")).toBe("'kin' is not key=value");
    expect(problemOf("2q:")).toBe("'2q:' gives no parameter (key=value,...)");
    expect(problemOf("2q:kin=0.1,kin=0.2")).toBe("2q: kin is given twice");
    expect(problemOf(" ")).toBe("no policy given");
  });

  it("in a list, an item with = and no : continues the previous policy's parameters", () => {
    const parsed = parsePolicyList("2q:kin=0.1,kout=1,lru,2q,lru");
    expect("choices" in parsed && parsed.choices.map(policyLabel)).toEqual(["2q:kin=0.1,kout=1", "lru", "2q"]);
    expect(parsePolicyList("lru,,fifo")).toEqual({ problem: "'lru,,fifo' has an empty item" });
    expect(parsePolicyList("kin=1")).toEqual({ problem: "unknown policy 'kin=1' (clock, fifo, lru, opt, arc, sieve, s3-fifo, 2q, lirs, slru, lfu, clock-pro, linux, mglru, or a plugin's path ./NAME.js)" });
  });

  it("a scenario's machine.policy takes a spec, and a bad one names the file line and key", () => {
    const good = parseScenario("machine: {ram: 4M, policy: 'slru:segments=2'}\nprocesses: [{name: p, steps: [{exit: 0}]}]\n", "s.yaml");
    expect(good.machine.policy).toEqual({ name: "slru", params: { segments: 2 } });
    const plugin = parseScenario("machine: {policy: ./mine.js}\nprocesses: [{name: p, steps: [{exit: 0}]}]\n", "/work/x/s.yaml");
    expect(plugin.machine.policy).toEqual({ plugin: "/work/x/mine.js", given: "./mine.js" });
    let message = "";
    try {
      parseScenario("machine:\n  ram: 4M\n  policy: '2q:kin=2'\nprocesses: [{name: p, steps: [{exit: 0}]}]\n", "s.yaml");
    } catch (e) {
      if (e instanceof ScenarioError) message = e.message;
    }
    expect(message).toBe("s.yaml:3: machine.policy: 2q: kin=2 is out of range (0 to 1)");
  });

  it("a library caller's SystemConfig.policy is checked the same way: names, parameters, loaded plugins", () => {
    expect(checkPolicyChoice("2q")).toBeNull();
    expect(checkPolicyChoice({ name: "2q", params: { kin: 0.5 } })).toBeNull();
    expect(checkPolicyChoice({ name: "2q", params: { kin: 2 } })).toBe("2q: kin=2 is out of range (0 to 1)");
    expect(checkPolicyChoice({ name: "2q", params: { kin: "x" } })).toBe("params is not an object of numbers");
    expect(checkPolicyChoice(7)).toBe("7 is not a policy name or {name, params}");
    expect(() => System.create({ ramBytes: 4 << 20, policy: { plugin: "/nowhere/p.js", given: "p.js" } })).toThrow(
      "policy: plugin /nowhere/p.js is not loaded (loadPolicyPlugins first)",
    );
    const system = System.create({ ramBytes: 4 << 20, swapBytes: 0, policy: { name: "slru", params: { segments: 2 } } });
    system.close();
  });

  it.each(POLICY_NAMES.filter((p) => p !== "opt"))("built-in %s passes policy-check's contract", (name) => {
    const checks = checkPolicy(name, { seed: 5, sequences: 40, tortureOps: 600 });
    expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  });
});
