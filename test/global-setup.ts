/**
 * Before the suite: the bin bundled as `npm run build` bundles it, into
 * .vmm386-tmp/bin, so the tests that spawn vmm386 run what users run and
 * start in a fraction of the time a run from source under tsx takes.
 */
import { bundleCli } from "../scripts/bundle.js";
import { TEST_BIN_DIR } from "./cli/test-bin.js";

export async function setup(): Promise<void> {
  await bundleCli(TEST_BIN_DIR);
}
