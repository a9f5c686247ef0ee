/**
 * `vmm386 conformance FILE.json [--cpu p6|pentium] [--tlb N|off] [--strict-tlb]`:
 * runs a paging vector file (schema i386-paging-vectors/1, as in
 * test/fixtures/conformance/) through the MMU and prints one JSON summary on
 * stdout: {"scenarios","accesses","passed","failed","failures":[...]}.
 * Exit 0 when every scenario passes, 1 when some fail, 2 for a bad file or
 * option.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Invocation } from "../io.js";
import { InputError } from "../../machine/input-error.js";
import { requireFile } from "../errors.js";
import { parseTlbOption } from "../options.js";
import { parseVectors, runVectors } from "../../machine/conformance.js";
import type { CpuName } from "../../machine/cpu-model.js";

interface ConformanceOptions {
  cpu: string;
  tlb?: string;
  strictTlb?: boolean;
}

const VECTOR_CPUS: readonly CpuName[] = ["p6", "pentium"];

export function register(program: Command, inv: Invocation): void {
  program
    .command("conformance")
    .description("Run an i386 paging vector file through the MMU and print a JSON summary (exit 1 if any scenario fails)")
    .argument("<file>", "vector file (schema i386-paging-vectors/1)")
    .option("--cpu <name>", "CPU preset with PSE and WP: p6 or pentium", "p6")
    .option("--tlb <entries|off>", "TLB entries (4-way), entriesxways, or off")
    .option("--strict-tlb", "also check every TLB-served access against the page tables")
    .action((file: string, options: ConformanceOptions) => conformance(inv, file, options));
}

function conformance(inv: Invocation, file: string, options: ConformanceOptions): void {
  requireFile(file);
  const cpu = VECTOR_CPUS.find((c) => c === options.cpu);
  if (cpu === undefined) throw new InputError(`'${options.cpu}' cannot run the vectors (they need PSE and WP): use p6 or pentium`, "--cpu");
  const tlb = options.tlb === undefined ? undefined : parseTlbOption(options.tlb);
  const text = readFileSync(file, "utf8");
  const summary = runVectors(parseVectors(text, file), { cpu, tlb, strict: options.strictTlb === true });
  inv.print(JSON.stringify(summary));
  if (summary.failed > 0) inv.exitCode = 1;
}
