/**
 * The repository's root: the nearest folder above this file holding
 * package.json. The benches run compiled (dist-bench/bench/), so a fixed
 * number of ".." would depend on where the build went.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(import.meta.dirname);
