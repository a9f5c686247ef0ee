/** `vmm386 inspect` run in this process (its own command code, standard output captured), for comparing the playground with it. */
import { Command } from "commander";
import { register } from "../../src/cli/commands/inspect.js";

const ALL_VIEWS = "maps,pagemap,frames,swap,boot";

/** What `vmm386 inspect FILE --step N --show ALL --json` prints, parsed. */
export async function inspectCommand(file: string, step: number): Promise<unknown> {
  const program = new Command("vmm386").exitOverride();
  register(program);
  let out = "";
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(["inspect", file, "--step", String(step), "--show", ALL_VIEWS, "--json"], { from: "user" });
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out);
}

