/**
 * `vmm386 policies` as text and JSON: every built-in policy with what it
 * evicts, its paper, its libCacheSim name, and its parameters with their
 * defaults and ranges — all read from the policies' own declarations
 * (src/kernel/replacement/catalog.ts), so the list cannot drift from them.
 */
import { DEFAULT_POLICY, POLICY_INFO, POLICY_NAMES, type PolicyParamSpec } from "../kernel/replacement/index.js";

/** One policy as `vmm386 policies --json` gives it. */
export interface PolicyListEntry {
  readonly name: string;
  readonly default: boolean;
  readonly summary: string;
  readonly paper: string;
  readonly libCacheSim: string | null;
  readonly params: readonly PolicyParamSpec[];
}

export function policyList(): PolicyListEntry[] {
  return POLICY_NAMES.map((name) => {
    const info = POLICY_INFO[name];
    return { name, default: name === DEFAULT_POLICY, summary: info.summary, paper: info.paper, libCacheSim: info.libCacheSim ?? null, params: info.params };
  });
}

/** The list for a terminal: a paragraph per policy, a line per parameter. */
export function policyListText(): string {
  const lines: string[] = [];
  for (const p of policyList()) {
    lines.push(`${p.name}${p.default ? " (default)" : ""}: ${p.summary}`);
    lines.push(`  ${p.paper}; libCacheSim: ${p.libCacheSim ?? "none"}`);
    for (const param of p.params) lines.push(`  ${p.name}:${param.key}=${param.default}  ${param.about}; ${rangeOf(param)}${param.libCacheSim ? `; libCacheSim -e ${param.libCacheSim}` : ""}`);
  }
  lines.push("", "Give parameters as --policy NAME:key=value,... (sweep: --policies 2q:kin=0.1,kout=1,lru), or a plugin as --policy ./my-policy.js (docs/policies.md).");
  return lines.join("\n") + "\n";
}

function rangeOf(p: PolicyParamSpec): string {
  return `${p.integer === true ? "a whole number" : "a number"} from ${p.min} to ${p.max}`;
}
