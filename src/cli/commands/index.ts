/** Every `vmm386` subcommand registers itself here: one import, one entry. */
import type { Command } from "commander";
import { register as conformance } from "./conformance.js";
import { register as demo } from "./demo.js";
import { register as disk } from "./disk.js";
import { register as convert } from "./convert.js";
import { register as inspect } from "./inspect.js";
import { register as mrc } from "./mrc.js";
import { register as policies } from "./policies.js";
import { register as record } from "./record.js";
import { register as replay } from "./replay.js";
import { register as run } from "./run.js";
import { register as sweep } from "./sweep.js";
import { register as torture } from "./torture.js";

export type Register = (program: Command) => void;

export const commands: Register[] = [demo, disk, convert, inspect, record, replay, run, sweep, mrc, torture, conformance, policies];
