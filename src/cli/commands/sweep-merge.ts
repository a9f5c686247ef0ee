/**
 * `vmm386 sweep-merge PART...`: the parts that `sweep --shard I/N --out
 * PART` runs left, checked as a set and merged (src/sim/sweep/merge.ts)
 * into the sweep the unsharded command gives, with the same outputs: the
 * table or `--json`, `--report`, `--csv`, `--export-svg`, `--export-png`,
 * and `--out FILE` for the `--json` object as a file.
 */
import type { Command } from "commander";
import { abortOnFailure, openOutput, writeWhole, type OutputFile, type OutputKind } from "../../sim/output-file.js";
import { mergeSweepParts } from "../../sim/sweep/merge.js";
import { readSweepPart } from "../../sim/sweep/sweep-part.js";
import { requireFile } from "../errors.js";
import type { Invocation } from "../io.js";
import { addSweepFileOptions, allOutputs, emitSweep, openSweepOutputs, sweepJson, type SweepOutputOptions } from "../sweep-outputs.js";

interface MergeOptions extends SweepOutputOptions {
  out?: string;
}

/** An existing file --out may replace without --force: an earlier merged sweep's JSON. */
const SWEEP_JSON: OutputKind = { noun: "vmm386 sweep JSON", recognise: (head) => head.toString("utf8").startsWith('{"title":"Miss-ratio curve of ') };

export function register(program: Command, inv: Invocation): void {
  const cmd = program
    .command("sweep-merge")
    .description("Merge the parts of a sharded sweep (sweep --shard I/N --out PART) into its miss-ratio curve")
    .argument("<parts...>", "every part of the grid, one per shard (e.g. part-*.json)")
    .option("--json", "print one JSON object on stdout instead of the table (the unsharded sweep's, byte for byte)")
    .option("--out <file.json>", "also write that JSON object to this file")
    .option("--report <file.html>", "write a self-contained HTML report")
    .option("--force", "replace output files that are not earlier vmm386 outputs");
  addSweepFileOptions(cmd);
  cmd.action(async (files: string[], options: MergeOptions) => {
    for (const file of files) requireFile(file);
    const outputs = openSweepOutputs(files, options);
    const out = await abortOnFailure(allOutputs(outputs), () => openJsonOut(options, files));
    const all = [...allOutputs(outputs), out];
    const sweep = await abortOnFailure(all, () => mergeSweepParts(files.map((file) => ({ file, part: readSweepPart(file) }))));
    await abortOnFailure(all, async () => {
      if (out !== null) await writeWhole(out, `${sweepJson(sweep, options)}\n`);
      await emitSweep(inv, sweep, options, outputs);
    });
  });
}

function openJsonOut(options: MergeOptions, inputs: string[]): OutputFile | null {
  return options.out === undefined ? null : openOutput(options.out, { kind: SWEEP_JSON, force: options.force, inputs, option: "--out" });
}
