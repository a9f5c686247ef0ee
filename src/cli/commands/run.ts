/**
 * `vmm386 run SCENARIO [options]`: runs a scenario file on a fresh System
 * and prints a summary table (or `--json`), optionally writing an HTML
 * report. Command-line machine options override the scenario's machine.
 */
import type { Command } from "commander";
import { loadScenarioFile } from "../../sim/scenario/loader.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, type CommonOptions } from "../options.js";
import { runAndEmit } from "../output.js";

export function register(program: Command, inv: Invocation): void {
  addCommonOptions(
    program
      .command("run")
      .description("Run a scenario file (YAML, see schema/scenario.schema.json) and summarise what the VMM did")
      .argument("<scenario>", "scenario file, e.g. examples/fork-cow.yaml")
      .addHelpText("after", SCENARIO_HELP),
  ).action((file: string, options: CommonOptions) => runAndEmit(inv, loadScenarioFile(file), options, [file]));
}

const SCENARIO_HELP = `
A scenario (YAML; schema/scenario.schema.json; one example per concept in examples/):
  machine: {ram: 4M, swap: 16M, cpu: i486, policy: clock, tlb: 32, userFrames: 100, strictTlb: true,
            pidMax: 32768, cmdline: "root=swap", modules: [{file: initrd.bin, address: 0x400000}]}
  ticksPerRound: 1            # timer ticks after each round of turns
  processes:                  # take turns round-robin, one step per turn
    - name: parent
      steps:
        - brk: +64K           # or an address: heap+64K
        - touch: {at: heap, length: 64K, access: write, pattern: strided}
        - fork: child         # child's own steps are listed under its name
        - exit: 0
    - name: child
      steps: [{touch: {at: heap, length: 4K, access: write}}]
Steps: brk, mmap {at, length, prot}, munmap {at, length}, touch {at, length, pattern
(sequential|random|strided|hotcold|loop), access (read|write|mixed), stride, count, loops,
hotFraction, hotProbability, writeRatio, size, seed}, fork, exit, copyOut {at, text|length},
tick, switch, yield, repeat {times, steps}, pokePte {at, clear, set} (no TLB invalidation).
Addresses: numbers or code|heap|shared|stack (the stack top) with +/- offsets.
`;
