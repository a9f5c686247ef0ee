/**
 * The browser's twin of policy-plugin.ts: a page has no files to load a
 * policy module from, so a plugin is refused in one line naming it (the
 * built-in policies need no loading).
 */
import type { LoadedPlugin, PolicyChoice } from "./policy-spec.js";

export async function loadPolicyPlugins(choices: PolicyChoice | readonly PolicyChoice[] | undefined): Promise<string | null> {
  const list = choices === undefined ? [] : Array.isArray(choices) ? choices : [choices];
  const plugin = (list as readonly PolicyChoice[]).find((c) => typeof c !== "string" && "plugin" in c);
  return plugin === undefined || typeof plugin === "string" || !("plugin" in plugin) ? null : loadPolicyPluginRefusal(plugin.given);
}

export async function loadPolicyPlugin(_path: string, given = _path): Promise<LoadedPlugin | string> {
  return loadPolicyPluginRefusal(given);
}

function loadPolicyPluginRefusal(given: string): string {
  return `${given}: policy plugins cannot be loaded in the browser (run it with the command line)`;
}
