/**
 * A second vmm386 for the image-lock tests, in a process of its own: it
 * opens a System on the image given, says "locked", and on "go" (stdin)
 * writes and reads back 40,960 words over 160 pages with 32 frames, so
 * that most of them go to the image's swap partition and come back. It
 * prints {wrong, swapOuts} and closes the System. On "close" it closes the
 * System at once: a test that needs only the lock held skips the words
 * (~1 s of CPU), which the first test proves.
 */
import { once } from "node:events";
import { System } from "../../src/sim/system.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";

const WORDS = 40_960;
const PAGES = 160;

const system = System.create({ ramBytes: 4 << 20, swapImage: process.argv[2], userFrames: 32 });
process.stdout.write("locked\n");
const [command] = (await once(process.stdin, "data")) as [Buffer];
if (command.toString("utf8") === "close\n") {
  system.close();
  process.exit(0);
}
const pid = system.spawn() as number;
system.brk(pid, USER_HEAP_BASE + PAGES * 4096);
const address = (i: number): number => USER_HEAP_BASE + (i % PAGES) * 4096 + Math.floor(i / PAGES) * 4;
for (let i = 0; i < WORDS; i++) system.write32(pid, address(i), (i * 2654435761) >>> 0);
let wrong = 0;
for (let i = 0; i < WORDS; i++) if (system.read32(pid, address(i)) !== (i * 2654435761) >>> 0) wrong++;
const swapOuts = system.stats().vmstat.pswpout;
system.close();
process.stdout.write(JSON.stringify({ wrong, swapOuts }) + "\n");
process.stdin.destroy();
