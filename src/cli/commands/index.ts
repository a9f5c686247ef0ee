/** Every `vmm386` subcommand registers itself here: one import, one entry. */
import type { Command } from "commander";
import { register as disk } from "./disk.js";

export type Register = (program: Command) => void;

export const commands: Register[] = [disk];
