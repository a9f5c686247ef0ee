/**
 * Which policy a run uses, as plain data that crosses worker threads and
 * sits in configs: a built-in policy's name, the same with parameters
 * (`s3-fifo:small=0.1`), or a plugin module by path (`./my-policy.js`,
 * parameters too). Every place a user names a policy — `--policy`, sweep's
 * `--policies`, a scenario's `machine.policy`, `policy-check` — parses it
 * here, and a problem is one line the caller prefixes with its place.
 *
 * Plugins load asynchronously (`loadPolicyPlugins`, src/sim/policy-plugin.ts)
 * before a System or replay is built; building then only looks them up.
 */
import { InputError } from "../machine/input-error.js";
import { CheckedPlugin } from "./checked-plugin.js";
import { resolvePath } from "./host-path.js";
import {
  createPolicy,
  isPolicyName,
  POLICY_INFO,
  POLICY_NAMES,
  type PolicyFactory,
  type PolicyName,
  type PolicyOptions,
  type PolicyParams,
  type PolicyParamSpec,
  type ReplacementPolicy,
} from "../kernel/replacement/index.js";

/** A built-in policy with parameters, or a plugin module. */
export type PolicySpec =
  | { readonly name: PolicyName; readonly params?: PolicyParams }
  | {
      /** Absolute path of the ES module. */
      readonly plugin: string;
      /** The path as the user wrote it, for messages and tables. */
      readonly given: string;
      readonly params?: PolicyParams;
    };

/** What a config holds: a built-in name alone, or a spec. */
export type PolicyChoice = PolicyName | PolicySpec;

/** A parsed spec, or the problem with it in one line (the caller adds the option or key). */
export type ParsedPolicy = { readonly choice: PolicyChoice } | { readonly problem: string };

/**
 * Parses `NAME`, `NAME:key=value,...`, `PATH` or `PATH:key=value,...`. A
 * PATH (it has a `/` or ends in .js or .mjs) is a plugin, resolved against
 * `base` (default: the working directory); its parameters are checked when
 * it loads. A built-in's parameters are checked here.
 */
export function parsePolicySpec(text: string, base?: string): ParsedPolicy {
  const { head, tail } = splitParams(text.trim());
  if (head === "") return { problem: "no policy given" };
  const params = parseParams(tail, head);
  if (typeof params === "string") return { problem: params };
  if (isPluginPath(head)) {
    const plugin = resolvePath(base, head);
    return { choice: params === undefined ? { plugin, given: head } : { plugin, given: head, params } };
  }
  if (!isPolicyName(head)) return { problem: checkPolicyName(head) ?? "" };
  const problem = params === undefined ? null : checkParams(head, POLICY_INFO[head].params, params);
  if (problem !== null) return { problem };
  return { choice: params === undefined ? head : { name: head, params } };
}

/**
 * A comma-separated list of specs, as sweep's `--policies` takes it: an item
 * with `=` and no `:` continues the previous spec's parameters, so
 * `2q:kin=0.1,kout=1,lru` is two policies.
 */
export function parsePolicyList(text: string, base?: string): { readonly choices: PolicyChoice[] } | { readonly problem: string } {
  const items: string[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") return { problem: text.trim() === "" ? "no policy given" : `'${text}' has an empty item` };
    if (item.includes("=") && !item.includes(":") && items.length > 0) items[items.length - 1] += `,${item}`;
    else items.push(item);
  }
  const choices: PolicyChoice[] = [];
  for (const item of items) {
    const parsed = parsePolicySpec(item, base);
    if ("problem" in parsed) return parsed;
    if (!choices.some((c) => policyLabel(c) === policyLabel(parsed.choice))) choices.push(parsed.choice);
  }
  return { choices };
}

/** Checks `params` against a policy's parameter table; null when every key is known and in range. */
export function checkParams(policy: string, specs: readonly PolicyParamSpec[], params: PolicyParams): string | null {
  for (const [key, value] of Object.entries(params)) {
    const spec = specs.find((s) => s.key === key);
    if (spec === undefined) {
      const known = specs.length === 0 ? "it has none" : specs.map((s) => s.key).join(", ");
      return `policy ${policy} has no parameter '${key}' (${known})`;
    }
    if (spec.integer === true && !Number.isInteger(value)) return `${policy}: ${key}=${value} is not a whole number`;
    if (value < spec.min || value > spec.max) return `${policy}: ${key}=${value} is out of range (${spec.min} to ${spec.max})`;
  }
  return null;
}

/**
 * Null when `value` is a usable PolicyChoice — a built-in's name, a built-in
 * with parameters in range, a plugin loaded in this thread — else the problem
 * (for library callers, whose configs no parser has seen: system-checks.ts).
 */
export function checkPolicyChoice(value: unknown): string | null {
  if (typeof value === "string") return checkPolicyName(value);
  if (value === null || typeof value !== "object") return `${String(value)} is not a policy name or {name, params}`;
  const v = value as { name?: unknown; plugin?: unknown; params?: unknown };
  const params = v.params ?? {};
  if (typeof params !== "object" || params === null || !Object.values(params).every((x) => typeof x === "number")) return "params is not an object of numbers";
  if (typeof v.plugin === "string") {
    const plugin = plugins.get(v.plugin);
    if (plugin === undefined) return `plugin ${v.plugin} is not loaded (loadPolicyPlugins first)`;
    return checkParams(v.plugin, plugin.params, params as PolicyParams);
  }
  if (typeof v.name !== "string") return "a policy spec needs a name or a plugin";
  if (!isPolicyName(v.name)) return checkPolicyName(v.name);
  return checkParams(v.name, POLICY_INFO[v.name].params, params as PolicyParams);
}

/** How a choice is shown in tables, reports and JSON: `lru`, `2q:kin=0.1`, `./my-policy.js`. */
export function policyLabel(choice: PolicyChoice): string {
  if (typeof choice === "string") return choice;
  const name = "plugin" in choice ? choice.given : choice.name;
  const params = Object.entries(choice.params ?? {});
  return params.length === 0 ? name : `${name}:${params.map(([k, v]) => `${k}=${v}`).join(",")}`;
}

/** The built-in policy a choice names, or null for a plugin. */
export function builtinPolicy(choice: PolicyChoice): PolicyName | null {
  if (typeof choice === "string") return choice;
  return "plugin" in choice ? null : choice.name;
}

/** True if the choice needs a recorded future (OPT): it runs only on a known reference string. */
export function choiceNeedsFuture(choice: PolicyChoice): boolean {
  return builtinPolicy(choice) === "opt";
}

/**
 * The factory the kernel or a replay builds the policy with. A plugin must
 * have been loaded (`loadPolicyPlugins`), and its victims are checked
 * (checked-plugin.ts) unless `checked` is false; a built-in gets its parameters.
 */
export function policyFactory(choice: PolicyChoice, { checked = true } = {}): PolicyFactory {
  if (typeof choice === "string") return (options) => createPolicy(choice, options);
  if ("plugin" in choice) {
    const plugin = loadedPlugin(choice.plugin);
    // A plugin gets every parameter it declares, defaults filled in.
    const params = { ...Object.fromEntries(plugin.params.map((p) => [p.key, p.default])), ...choice.params };
    if (!checked) return (options) => plugin.create({ ...options, params });
    return (options) => new CheckedPlugin(plugin.create({ ...options, params }), choice.given, options.maxFrames);
  }
  return (options) => createPolicy(choice.name, { ...options, params: choice.params });
}

/**
 * Loads the plugins `policies` name before anything builds them: what every
 * run (scenario, replay, sweep, policy-only, mrc) awaits first; a no-op for
 * built-ins, and policy-plugin.ts, which reads files, is imported only when
 * a plugin is named. A plugin that fails to load is an InputError naming it.
 */
export async function requirePolicyPlugins(policies: PolicyChoice | readonly PolicyChoice[] | undefined): Promise<void> {
  const list: readonly PolicyChoice[] = policies === undefined ? [] : Array.isArray(policies) ? policies : [policies as PolicyChoice];
  if (!list.some((c) => typeof c !== "string" && "plugin" in c)) return;
  const { loadPolicyPlugins } = await import("./policy-plugin.js");
  const problem = await loadPolicyPlugins(list);
  if (problem !== null) throw new InputError(problem);
}

/** A plugin module, loaded and checked (src/sim/policy-plugin.ts). */
export interface LoadedPlugin {
  /** Absolute path of the module. */
  readonly path: string;
  /** The policy's own `name`. */
  readonly name: string;
  /** Its `params` export (none: it takes no parameters). */
  readonly params: readonly PolicyParamSpec[];
  create(options: PolicyOptions): ReplacementPolicy;
}

/** Plugins loaded in this thread, by absolute path. Node caches a module per URL anyway; this keeps the checked view of it. */
const plugins = new Map<string, LoadedPlugin>();

/** Records a loaded plugin (policy-plugin.ts does, once it has checked it). */
export function registerPlugin(plugin: LoadedPlugin): void {
  plugins.set(plugin.path, plugin);
}

/** The loaded plugin at `path`; throws if `loadPolicyPlugins` has not loaded it in this thread (a caller's bug). */
export function loadedPlugin(path: string): LoadedPlugin {
  const plugin = plugins.get(path);
  if (plugin === undefined) throw new Error(`policy plugin ${path} is not loaded: await loadPolicyPlugins(...) first`);
  return plugin;
}

/** `head` and the text after its parameter colon ("" when none). A plugin path may itself hold colons: only a last `:k=v...` splits. */
function splitParams(text: string): { head: string; tail: string | undefined } {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { head: text, tail: undefined };
  const tail = text.slice(colon + 1);
  if (isPluginPath(text.slice(0, colon)) && !tail.includes("=")) return { head: text, tail: undefined };
  return { head: text.slice(0, colon), tail };
}

function parseParams(tail: string | undefined, head: string): PolicyParams | undefined | string {
  if (tail === undefined) return undefined;
  if (tail.trim() === "") return `'${head}:' gives no parameter (key=value,...)`;
  const params: Record<string, number> = {};
  for (const item of tail.split(",")) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(\S+)\s*$/.exec(item);
    if (m === null) return `'${item.trim()}' is not key=value`;
    const value = Number(m[2]);
    if (!Number.isFinite(value)) return `${head}: ${m[1]}='${m[2]}' is not a number`;
    if (m[1] in params) return `${head}: ${m[1]} is given twice`;
    params[m[1]] = value;
  }
  return params;
}

function isPluginPath(text: string): boolean {
  return text.includes("/") || text.includes("\\") || /\.m?js$/i.test(text);
}

/** Null for a replacement policy's name, else a phrase listing them. */
export function checkPolicyName(name: string): string | null {
  return isPolicyName(name) ? null : `unknown policy '${name}' (${POLICY_NAMES.join(", ")}, or a plugin's path ./NAME.js)`;
}
