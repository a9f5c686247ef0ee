/** Every `vmm386` subcommand registers itself here: one import, one entry. */
import type { Command } from "commander";

export type Register = (program: Command) => void;

export const commands: Register[] = [];
