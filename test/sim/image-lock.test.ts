/**
 * One swap image, one vmm386: a second run on an image in use is refused
 * ("image in use by another vmm386", exit code 2 on the command line), the
 * first goes on undisturbed with every word read back right, whichever
 * path or link reaches the image, and a lock
 * left by a run killed outright does not keep the image locked for ever.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDiskImage } from "../../src/machine/disk-image.js";
import { System } from "../../src/sim/system.js";
import { ImageInUseError, lockPathOf } from "../../src/sim/image-lock.js";
import { cli } from "../cli/cli-helper.js";
import { TEST_HELPER_DIR } from "../cli/test-bin.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-lock-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** image-lock-holder.ts as the global setup bundled it: it starts in a fraction of the time tsx takes to load it from source. */
const HOLDER = path.join(TEST_HELPER_DIR, "image-lock-holder.js");

let n = 0;
function image(): string {
  const file = path.join(dir, `swap${n++}.img`);
  createDiskImage(file, { sizeBytes: 4 << 20, swapBytes: 2 << 20 });
  return file;
}

/** The holder process (image-lock-holder.ts) on `file`, once it says it holds the image. */
async function holder(file: string): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(process.execPath, [HOLDER, file]);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  await new Promise<void>((resolve, reject) => {
    // Resolved by the output itself, as soon as the line is there (not by a poll).
    child.stdout.on("data", () => {
      if (out.includes("locked\n")) resolve();
    });
    child.on("exit", () => reject(new Error(`the holder ended early: ${err}`)));
  });
  return { child, output: () => out };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("a swap image in use", () => {
  it("two runs on one image: the second is refused, the first completes with 0 wrong reads", async () => {
    const file = image();
    const first = await holder(file);
    expect(() => System.create({ ramBytes: 4 << 20, swapImage: file })).toThrow(ImageInUseError);
    expect(() => System.create({ ramBytes: 4 << 20, swapImage: file })).toThrow(
      new RegExp(`^${file}: image in use by another vmm386 \\(pid ${first.child.pid} on ${os.hostname()}; lock file ${lockPathOf(file)}\\)$`),
    );
    // The command line says the same, in one line, with exit code 2.
    const refused = await cli("run", "examples/demand-paging.yaml", "--swap-image", file);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(new RegExp(`^vmm386: ${file}: image in use by another vmm386 \\(pid \\d+ on .*\\)\\n$`));
    first.child.stdin.write("go\n");
    expect(await exited(first.child)).toBe(0);
    const result = JSON.parse(first.output().split("\n")[1]) as { wrong: number; swapOuts: number };
    expect(result.swapOuts).toBeGreaterThan(1000); // the words really went through the image's swap partition
    expect(result.wrong).toBe(0);
    // The first run's lock went with it: the image is free again.
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
    System.create({ ramBytes: 4 << 20, swapImage: file }).close();
  });

  it("a lock left by a run killed outright (SIGKILL) is stale: the next run takes the image", async () => {
    const file = image();
    const killed = await holder(file);
    killed.child.kill("SIGKILL");
    await exited(killed.child);
    expect(fs.existsSync(lockPathOf(file))).toBe(true);
    const next = System.create({ ramBytes: 4 << 20, swapImage: file });
    expect(fs.readFileSync(lockPathOf(file), "utf8")).toContain(`"pid":${process.pid}`);
    next.close();
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
  });

  it("two Systems of one process, or through a link to the image: refused until the first closes", () => {
    const file = image();
    const link = path.join(dir, "link.img");
    fs.symlinkSync(file, link);
    const first = System.create({ ramBytes: 4 << 20, swapImage: file });
    expect(() => System.create({ ramBytes: 4 << 20, swapImage: link })).toThrow(/image in use by another vmm386 \(this process: a System not closed/);
    first.close();
    System.create({ ramBytes: 4 << 20, swapImage: link }).close();
  });

  it("a hard link to the image in another folder meets the same lock: refused while another run holds it", async () => {
    const file = image();
    const elsewhere = fs.mkdtempSync(path.join(dir, "elsewhere-"));
    const hard = path.join(elsewhere, "hard.img");
    fs.linkSync(file, hard);
    const first = await holder(file);
    expect(() => System.create({ ramBytes: 4 << 20, swapImage: hard })).toThrow(
      new RegExp(`^${hard}: image in use by another vmm386 \\(pid ${first.child.pid} on ${os.hostname()}; lock file ${lockPathOf(file)}\\)$`),
    );
    const refused = await cli("run", "examples/demand-paging.yaml", "--swap-image", hard);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^vmm386: ${hard}: image in use by another vmm386 \\(pid ${first.child.pid} on .*\\)\\n$`));
    // Its words through the image are the first test's: here the holder only lets the lock go.
    first.child.stdin.write("close\n");
    expect(await exited(first.child)).toBe(0);
    System.create({ ramBytes: 4 << 20, swapImage: hard }).close();
  });

  it("a lock file vmm386 did not write is left alone and named", () => {
    const file = image();
    fs.mkdirSync(path.dirname(lockPathOf(file)), { recursive: true });
    fs.writeFileSync(lockPathOf(file), "someone else's\n");
    expect(() => System.create({ ramBytes: 4 << 20, swapImage: file })).toThrow(`${lockPathOf(file)} exists but is not a vmm386 lock`);
    expect(fs.readFileSync(lockPathOf(file), "utf8")).toBe("someone else's\n");
    fs.rmSync(lockPathOf(file));
  });
});
