/**
 * Files of the vmm386 package itself (package.json, the scenario schema),
 * found from the running module's URL: walking up to the folder whose
 * package.json names vmm386, the same whether the code runs from src/
 * (tsx), dist/ (tsc) or a chunk of the bundled bin (dist/bin/).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null = null;

/** The absolute path of `relative` (e.g. "schema/scenario.schema.json") in the package. */
export function packageFile(relative: string): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return join(root, relative);
}

/** The package's version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "vmm386") return dir;
    if (dirname(dir) === dir) throw new Error(`no vmm386 package.json above ${from}`);
  }
}
