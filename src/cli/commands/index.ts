/**
 * Every `vmm386` subcommand, by name: one entry each. A command's module is
 * loaded only when that command runs (or when every command must be listed,
 * as in `vmm386 --help`), so starting one command does not pay for loading
 * the others' libraries.
 */
import type { Command } from "commander";
import type { Invocation } from "../io.js";

export type Register = (program: Command, invocation: Invocation) => void;

export const commands: Readonly<Record<string, () => Promise<{ register: Register }>>> = {
  demo: () => import("./demo.js"),
  disk: () => import("./disk.js"),
  convert: () => import("./convert.js"),
  inspect: () => import("./inspect.js"),
  mrc: () => import("./mrc.js"),
  policies: () => import("./policies.js"),
  "policy-check": () => import("./policies.js"),
  record: () => import("./record.js"),
  replay: () => import("./replay.js"),
  run: () => import("./run.js"),
  sweep: () => import("./sweep.js"),
  "sweep-merge": () => import("./sweep-merge.js"),
  torture: () => import("./torture.js"),
  conformance: () => import("./conformance.js"),
};
