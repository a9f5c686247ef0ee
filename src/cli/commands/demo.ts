/**
 * `vmm386 demo` (what `npm start` runs): a built-in multi-process scenario
 * on a 3 MiB machine with a temporary swap image — a shell forks an editor
 * and a compiler, COW splits their pages, and together they need more RAM
 * than there is, so pages go out to swap and come back. Ends with the
 * summary table and the path of the HTML report (./vmm386-report.html).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseScenario } from "../../sim/scenario/loader.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, type CommonOptions } from "../options.js";
import { runAndEmit } from "../output.js";

export const DEMO_REPORT = "vmm386-report.html";

/** The demo scenario, in the same YAML a user would write (see examples/). */
export const DEMO_SCENARIO = `
name: vmm386 demo — fork, copy-on-write and swapping
description: >-
  A shell fills 512 KiB of heap and forks an editor and a compiler. Their
  writes to shared pages are copy-on-write faults; their own allocations
  push the 3 MiB machine past its RAM, so CLOCK evicts pages to the swap
  partition of a temporary disk image and they fault back in as swap-ins.
machine:
  ram: 3M
  swap: 16M
  cpu: i486
  policy: clock
ticksPerRound: 10
processes:
  - name: shell
    steps:
      - brk: +512K
      - touch: {at: heap, length: 512K, access: write}
      - fork: editor
      - fork: compiler
      - repeat:
          times: 24
          steps:
            - touch: {at: heap, length: 512K, pattern: hotcold, count: 500, access: mixed, writeRatio: 0.1, seed: 1}
      - exit: 0
  - name: editor
    steps:
      - touch: {at: heap, length: 128K, access: write, pattern: strided}
      - brk: +768K
      - repeat:
          times: 16
          steps:
            - touch: {at: heap+512K, length: 768K, access: mixed, pattern: hotcold, count: 750, seed: 2}
      - copyOut: {at: stack-4K, text: "saved 42 lines"}
      - exit: 0
  - name: compiler
    steps:
      - brk: +1M
      - repeat:
          times: 12
          steps:
            - touch: {at: heap+512K, length: 256K, access: write, pattern: sequential, stride: 256}
            - touch: {at: heap+768K, length: 256K, access: write, pattern: sequential, stride: 256}
            - touch: {at: heap+1M, length: 512K, access: read, pattern: strided}
            - touch: {at: stack-32K, length: 32K, access: write}
      - touch: {at: heap, length: 512K, access: read, pattern: strided}
      - exit: 0
`;

export function register(program: Command, inv: Invocation): void {
  addCommonOptions(
    program
      .command("demo")
      .description(`Run the built-in multi-process demo (fork, COW, swapping) and write ./${DEMO_REPORT}`),
  ).action((options: CommonOptions) =>
    // The report goes to ./vmm386-report.html unless --report says where; either way it is checked before the run.
    runAndEmit(inv, parseScenario(DEMO_SCENARIO, "<demo>"), options, [], options.report ?? resolve(DEMO_REPORT), options.report === undefined ? undefined : "--report"),
  );
}
