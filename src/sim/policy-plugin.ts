/**
 * Policy plugins: an ES module whose default export is a class implementing
 * the public `ReplacementPolicy` interface, built with `new C(options)` from
 * `PolicyOptions` (maxFrames, capacity, host, params), optionally with a
 * `params` export declaring its tunables as the built-ins do. TypeScript
 * users compile it first. Loading checks the shape once, so that a module
 * that is not a policy is refused in one line naming it, before any run.
 *
 * Each thread loads for itself: a sweep's workers load the plugins their
 * jobs name, by the absolute path the spec carries.
 */
import { pathToFileURL } from "node:url";
import { existsSync, statSync } from "node:fs";
import type { PolicyOptions, PolicyParamSpec, ReplacementPolicy } from "../kernel/replacement/index.js";
import { checkParams, registerPlugin, type LoadedPlugin, type PolicyChoice } from "./policy-spec.js";

/** What a plugin's constructor is built with, to check it once at load. */
const PROBE_FRAMES = 8;

type PolicyClass = new (options: PolicyOptions) => ReplacementPolicy;

/** Loads and checks every plugin `choices` name; returns the first problem (naming the plugin) or null. */
export async function loadPolicyPlugins(choices: PolicyChoice | readonly PolicyChoice[] | undefined): Promise<string | null> {
  const list = choices === undefined ? [] : Array.isArray(choices) ? choices : [choices];
  for (const choice of list as readonly PolicyChoice[]) {
    if (typeof choice === "string" || !("plugin" in choice)) continue;
    const loaded = await loadPolicyPlugin(choice.plugin, choice.given);
    if (typeof loaded === "string") return loaded;
    const problem = checkParams(choice.given, loaded.params, choice.params ?? {});
    if (problem !== null) return problem;
  }
  return null;
}

/** Loads the plugin at absolute `path` (shown as `given`); the plugin, or the problem in one line. */
export async function loadPolicyPlugin(path: string, given = path): Promise<LoadedPlugin | string> {
  if (!existsSync(path)) return `${given}: no such file`;
  if (!statSync(path).isFile()) return `${given}: not a file`;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    return `${given}: cannot load it as an ES module: ${firstLine(e)}`;
  }
  const policyClass = module.default;
  if (typeof policyClass !== "function") return `${given}: its default export is not a class (export default class ... implements ReplacementPolicy)`;
  const params = module.params ?? [];
  if (!isParamList(params)) return `${given}: its 'params' export is not a list of {key, default, min, max, about}`;
  const create = (options: PolicyOptions): ReplacementPolicy => new (policyClass as PolicyClass)(options);
  const probe = probePolicy(create, params, given);
  if (typeof probe === "string") return probe;
  const plugin: LoadedPlugin = { path, name: probe.name, params, create };
  registerPlugin(plugin);
  return plugin;
}

/** Builds one instance with default parameters and checks the members the kernel calls. */
function probePolicy(create: (options: PolicyOptions) => ReplacementPolicy, params: readonly PolicyParamSpec[], given: string): ReplacementPolicy | string {
  let policy: ReplacementPolicy;
  try {
    const defaults = Object.fromEntries(params.map((p) => [p.key, p.default]));
    policy = create({ maxFrames: PROBE_FRAMES, capacity: PROBE_FRAMES, host: { testAndClearReferenced: () => false }, params: defaults });
  } catch (e) {
    return `${given}: its constructor threw: ${firstLine(e)}`;
  }
  const p = policy as unknown as Record<string, unknown>;
  if (typeof p.name !== "string" || p.name === "") return `${given}: the policy has no 'name' string`;
  if (typeof p.observesReferences !== "boolean") return `${given}: the policy has no 'observesReferences' boolean`;
  for (const method of ["insert", "remove", "reference", "selectVictim", "keep"]) {
    if (typeof p[method] !== "function") return `${given}: the policy has no '${method}' method`;
  }
  if (typeof p.size !== "number") return `${given}: the policy has no 'size' number`;
  return policy;
}

function isParamList(value: unknown): value is PolicyParamSpec[] {
  return (
    Array.isArray(value) &&
    value.every((p: Record<string, unknown>) => typeof p.key === "string" && [p.default, p.min, p.max].every((n) => typeof n === "number") && typeof p.about === "string")
  );
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
