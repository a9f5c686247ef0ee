/**
 * Plugin policies: the example of docs/policies.md loads, passes the
 * contract and runs in every path (policy-only replay, the VMM, sweep's
 * worker threads); bad plugins are refused in one line naming them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPolicy } from "../../src/sim/policy-check.js";
import { loadPolicyPlugin, loadPolicyPlugins } from "../../src/sim/policy-plugin.js";
import { parsePolicySpec, policyFactory, type PolicyChoice } from "../../src/sim/policy-spec.js";
import { replayReferenceString } from "../../src/sim/policy-replay.js";
import { cli, spawnCli } from "../cli/cli-helper.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-plugin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The plugins' folder declares its .js files ES modules, as the docs ask. (Node alone would also detect
// the syntax; tsx's loader in sweep's worker threads, used when the CLI runs from source, does not.)
writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');

/** The first ```js block of docs/policies.md's Plugins section. */
function docExample(): string {
  const doc = readFileSync(new URL("../../docs/policies.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Plugins"));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (m === null) throw new Error("docs/policies.md: no js block in the Plugins section");
  return m[1];
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function choiceOf(text: string): PolicyChoice {
  const parsed = parsePolicySpec(text);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return parsed.choice;
}

const mru = write("mru.js", docExample());
/** A small reference string (page numbers, one a line). */
const refs = write("small.refs", "1\n2\n3\n1\n4\n5\n1\n");

describe("the example plugin of docs/policies.md", () => {
  it("is about 30 lines and loads as a policy named mru", async () => {
    expect(docExample().split("\n").length).toBeLessThanOrEqual(35);
    const plugin = await loadPolicyPlugin(mru);
    expect(typeof plugin === "string" ? plugin : plugin.name).toBe("mru");
  });

  it("passes the contract: resident frames only, keep/remove/insert consistent, deterministic, survives torture", async () => {
    expect(await loadPolicyPlugins(choiceOf(mru))).toBeNull();
    const checks = checkPolicy(choiceOf(mru), { seed: 3, sequences: 50, tortureOps: 1500 });
    expect(checks.map((c) => [c.name, c.ok, c.ok ? "" : c.detail])).toEqual([
      ["contract", true, ""],
      ["deterministic", true, ""],
      ["torture", true, ""],
    ]);
  });

  it("evicts the most recent page: on a loop larger than memory it keeps most of it, where LRU keeps none", async () => {
    await loadPolicyPlugins(choiceOf(mru));
    const loop = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
    expect(replayReferenceString(loop, { frames: 8, policy: "lru" }).misses).toBe(1000);
    const r = replayReferenceString(loop, { frames: 8, policy: choiceOf(mru) });
    expect(r.misses).toBeLessThan(300);
    expect(r.policy).toBe(mru);
  });

  it("runs from the CLI: policy-check, policy-only replay, the full VMM, and sweep's worker threads", async () => {
    const check = await cli("policy-check", mru, "--ops", "500");
    expect(check.code).toBe(0);
    expect(check.stdout.split("\n").filter((l) => l.startsWith("ok "))).toHaveLength(3);
    const trace = write("loop.refs", Array.from({ length: 2000 }, (_, i) => String(i % 12)).join("\n") + "\n");
    const alone = JSON.parse((await cli("replay", trace, "--policy-only", "--user-frames", "8", "--policy", mru, "--json")).stdout) as { misses: number; policy: string };
    expect(alone.policy).toBe(mru);
    const vmm = JSON.parse((await cli("replay", trace, "--user-frames", "8", "--tlb", "off", "--policy", mru, "--json")).stdout) as { faults: { total: number } };
    expect(vmm.faults.total).toBe(alone.misses);
    // Spawned, as users run it: its worker threads load the plugin from the bundled bin. (In this process each thread
    // would first load tsx and the sources, ~0.8 s of CPU apiece; test/cli/sweep.test.ts covers that path.)
    const sweep = spawnCli(["sweep", trace, "--frames", "8,16", "--policies", `lru,${mru}`, "--workers", "2", "--json"]);
    expect(sweep.stderr).toBe("");
    const points = (JSON.parse(sweep.stdout) as { points: { policy: string; size: number; faults: number }[] }).points;
    expect(points.find((p) => p.policy === mru && p.size === 8)?.faults).toBe(vmm.faults.total);
  });
});

describe("a plugin's parameters", () => {
  const path = write(
    "with-params.js",
    [
      "export const params = [{ key: 'skip', default: 2, min: 0, max: 5, integer: true, about: 'pages to skip' }];",
      "export default class { name = 'p'; observesReferences = false; size = 0;",
      "  constructor(options) { this.seen = options.params; }",
      "  insert() { this.size++; } remove() { this.size--; } reference() {} selectVictim() { return -1; } keep() {} }",
    ].join("\n"),
  );
  const seen = (choice: PolicyChoice): unknown =>
    (policyFactory(choice, { checked: false })({ maxFrames: 4, capacity: 4, host: { testAndClearReferenced: () => false } }) as unknown as { seen: unknown }).seen;

  it("reach its constructor as given, the defaults filled in", async () => {
    expect(await loadPolicyPlugins(choiceOf(`${path}:skip=3`))).toBeNull();
    expect(seen(choiceOf(`${path}:skip=3`))).toEqual({ skip: 3 });
    expect(seen(choiceOf(path))).toEqual({ skip: 2 });
  });

  it("are checked against the ranges it declares", async () => {
    expect(await loadPolicyPlugins(choiceOf(`${path}:skip=9`))).toBe(`${path}: skip=9 is out of range (0 to 5)`);
    expect(await loadPolicyPlugins(choiceOf(`${path}:skip=1.5`))).toBe(`${path}: skip=1.5 is not a whole number`);
  });
});

describe("a bad plugin is one line naming it, exit code 2", () => {
  const cases: [string, string, RegExp][] = [
    ["syntax.js", "export default class {", /syntax\.js: cannot load it as an ES module: /],
    ["nodefault.js", "export const x = 1;\n", /nodefault\.js: its default export is not a class/],
    ["throws.js", "export default class { constructor() { throw new Error('no'); } }\n", /throws\.js: its constructor threw: no/],
    ["partial.js", "export default class { name = 'p'; observesReferences = false; size = 0; insert() {} remove() {} reference() {} selectVictim() { return -1; } }\n", /partial\.js: the policy has no 'keep' method/],
  ];
  it.each(cases)("%s", async (name, text, message) => {
    const path = write(name, text);
    const r = await cli("replay", refs, "--policy-only", "--user-frames", "4", "--policy", path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a missing file, and an unknown parameter of a plugin", async () => {
    expect((await cli("torture", "--policy", join(dir, "none.js"), "--ops", "10")).stderr).toMatch(/^vmm386: .*none\.js: no such file\n$/);
    const r = await cli("replay", refs, "--policy-only", "--user-frames", "4", "--policy", `${mru}:k=1`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mru\.js has no parameter 'k' \(it has none\)/);
  });

  const victimOf = (name: string, victim: string): string =>
    write(name, `export default class { name = 'bad'; observesReferences = false; size = 0; insert() { this.size++; } remove() { this.size--; } reference() {} selectVictim() { return ${victim}; } keep() {} }\n`);

  it("a plugin offering a victim it does not hold stops a run, named: the policy-only replay and the VMM", async () => {
    const stray = victimOf("stray.js", "99999");
    const replay = await cli("replay", refs, "--policy-only", "--user-frames", "2", "--policy", stray);
    expect(replay).toEqual({ code: 2, stdout: "", stderr: `vmm386: ${stray}: breaks the policy contract: selectVictim returned 99999, not a frame number (0 to 1)\n` });
    const vmm = await cli("run", "examples/loop-thrash.yaml", "--policy", stray);
    expect(vmm.code).toBe(2);
    expect(vmm.stderr).toMatch(/^vmm386: .*stray\.js: breaks the policy contract: selectVictim returned 99999, not a frame number \(0 to \d+\)\n$/);
    expect(vmm.stderr).not.toMatch(/out of memory/);
  });

  it("a victim that is a frame it was not given, a string, or -1 with frames resident is refused the same way", async () => {
    const replay = ["replay", refs, "--policy-only", "--user-frames", "2", "--policy"];
    const cases: [string, string, string[], string][] = [
      // Frame 0 is never given to a user page.
      ["kernel.js", "0", ["run", "examples/loop-thrash.yaml", "--policy"], "returned 0, a frame it does not hold"],
      ["string.js", "'0'", replay, 'returned the string "0", not a frame number'],
      ["none.js", "-1", replay, 'returned -1, "nothing to evict" with 2 frames resident'],
    ];
    for (const [name, victim, command, said] of cases) {
      const r = await cli(...command, victimOf(name, victim));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${name}: breaks the policy contract: selectVictim ${said}`);
    }
  });

  it("policy-check names a plugin that offers a frame that is not resident", async () => {
    const bad = write(
      "liar.js",
      "export default class { name = 'liar'; observesReferences = false; size = 0; insert() { this.size++; } remove() { this.size--; } reference() {} selectVictim() { return 99; } keep() {} }\n",
    );
    const r = await cli("policy-check", bad, "--ops", "100");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vmm386: .*liar\.js: breaks the policy contract \(contract\): offered frame 99/);
    expect(r.stdout).toMatch(/^FAIL contract: /m);
  });
});
