/**
 * vmm386 as a library: the simulated i386 (machine), the EYN-OS VMM (kernel),
 * and the layer that drives it as a CPU and system calls would (sim).
 *
 *   import { System } from "vmm386";
 *   const sys = System.create({ ramBytes: 4 << 20 });
 */
export * from "./machine/index.js";
export * from "./kernel/layout.js";
export * from "./kernel/vmm.js";
export * from "./kernel/replacement/index.js";
export type { ReplacementPolicy, ReplacementHost, PolicyOptions, FutureKnowledge } from "./kernel/replacement/policy.js";
export { System } from "./sim/system.js";
export { SystemUsageError } from "./sim/system-checks.js";
export { ImageInUseError } from "./sim/image-lock.js";
export { OutputFileError } from "./sim/output-file.js";
export type { SystemConfig, SystemStats, TlbStats, FaultReport, ProcessInfo, ProcessStatus } from "./sim/system.js";
export { PolicyReplay, replayReferenceString, NextUseTable } from "./sim/policy-replay.js";
export { parsePolicySpec, parsePolicyList, policyLabel, policyFactory } from "./sim/policy-spec.js";
export type { PolicyChoice, PolicySpec, ParsedPolicy, LoadedPlugin } from "./sim/policy-spec.js";
export { loadPolicyPlugin, loadPolicyPlugins } from "./sim/policy-plugin.js";
export { checkPolicy, type PolicyCheck, type PolicyCheckOptions } from "./sim/policy-check.js";
export * from "./sim/trace/index.js";
export { profileTrace, STACK_POLICIES, type MrcOptions, type MinisimOptions, type StackPolicy } from "./sim/mrc/profile.js";
export type { MrcCurve, MrcPoint, MrcResult, MrcError, MrcSampling, MrcMethod } from "./sim/mrc/curve.js";
export { LruStack, missesBySize, type StackHistogram } from "./sim/mrc/lru-stack.js";
export { optHistogram } from "./sim/mrc/opt-stack.js";
export { Shards, type ShardsOptions } from "./sim/mrc/shards.js";
