/**
 * The fingerprint of a sweep's grid: a SHA-256 of everything that decides
 * its points' results, so that `sweep-merge` can tell the parts of one grid
 * from a part of another. It covers the content of the files read (the
 * scenario or trace, plugin policies, multiboot modules), not their paths,
 * so shards run on machines that mount the inputs at different places still
 * merge; and the machine settings, the policies with their parameters, the
 * axis and every size, as canonical JSON (keys sorted). The places kept for
 * messages (bootOrigins) decide nothing and are left out.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { PolicyChoice } from "../policy-spec.js";
import type { MachineSettings } from "../system.js";
import type { SweepPlan } from "./sweep.js";

/** The grid's fingerprint, 64 hex digits. */
export async function gridFingerprint(plan: SweepPlan): Promise<string> {
  const grid = {
    kind: plan.kind,
    source: await fileDigest(plan.source),
    axis: plan.axis,
    sizes: plan.sizes,
    policies: await Promise.all(plan.policies.map(canonicalPolicy)),
    settings: await canonicalSettings(plan.settings),
  };
  return createHash("sha256").update(canonicalJson(grid)).digest("hex");
}

/** A policy by what it runs: a built-in's name and parameters, a plugin's content and parameters. */
async function canonicalPolicy(choice: PolicyChoice): Promise<object> {
  if (typeof choice === "string") return { name: choice, params: {} };
  if ("plugin" in choice) return { plugin: await fileDigest(choice.plugin), params: choice.params ?? {} };
  return { name: choice.name, params: choice.params ?? {} };
}

/** The settings without their message places, each module with its content's digest. */
async function canonicalSettings(settings: MachineSettings): Promise<object> {
  const { bootOrigins: _places, modules, ...rest } = settings;
  if (modules === undefined) return rest;
  // A module's path is its default multiboot string, so it stays beside the content.
  return { ...rest, modules: await Promise.all(modules.map(async (m) => ({ ...m, content: await fileDigest(m.path) }))) };
}

/** SHA-256 of a file's bytes, read as a stream (a trace may be gigabytes). */
export function fileDigest(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** JSON with every object's keys sorted: one text per value, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}
