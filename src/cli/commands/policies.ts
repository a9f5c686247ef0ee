/**
 * `vmm386 policies [--json]`: every replacement policy, its parameters with
 * defaults and ranges, and its reference (paper, libCacheSim's name).
 * `vmm386 policy-check FILE.js [--seed N]`: a plugin against the policy
 * contract (src/sim/policy-check.ts); a plugin that fails to load or breaks
 * the contract is one line naming it, exit code 2.
 */
import type { Command } from "commander";
import { checkPolicy } from "../../sim/policy-check.js";
import { InputError } from "../../machine/input-error.js";
import { choiceNeedsFuture, policyLabel, requirePolicyPlugins } from "../../sim/policy-spec.js";
import { policyList, policyListText } from "../../report/policy-list.js";
import type { Invocation } from "../io.js";
import { integer, policyOption } from "../options.js";

export function register(program: Command, inv: Invocation): void {
  program
    .command("policies")
    .description("List the replacement policies, their parameters and defaults, and their references")
    .option("--json", "print one JSON array")
    .action((options: { json?: boolean }) => {
      inv.io.stdout.write(options.json ? `${JSON.stringify(policyList())}\n` : policyListText());
    });
  program
    .command("policy-check")
    .description("Check a plugin policy (an ES module; or a built-in's name) against the ReplacementPolicy contract")
    .argument("<policy>", "the plugin's path, ./my-policy.js[:key=value,...], or a policy name")
    .option("--seed <n>", "seed of the random operations", "1")
    .option("--ops <n>", "operations of the torture run", "3000")
    .action((spec: string, options: { seed: string; ops: string }) => policyCheck(inv, spec, options));
}

async function policyCheck(inv: Invocation, spec: string, options: { seed: string; ops: string }): Promise<void> {
  const choice = policyOption(spec, "policy-check");
  if (choiceNeedsFuture(choice)) throw new InputError(`${policyLabel(choice)} needs a recorded future; policy-check drives policies without one`, "policy-check");
  const seed = integer(options.seed, "--seed", 0, 0xffffffff);
  const tortureOps = integer(options.ops, "--ops", 1, 10_000_000);
  await requirePolicyPlugins(choice);
  const checks = checkPolicy(choice, { seed, tortureOps });
  for (const c of checks) inv.io.stdout.write(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}\n`);
  const failed = checks.find((c) => !c.ok);
  if (failed !== undefined) throw new InputError(`breaks the policy contract (${failed.name}): ${failed.detail}`, policyLabel(choice));
}
