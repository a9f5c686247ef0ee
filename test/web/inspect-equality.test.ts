/**
 * The playground shows at a point exactly what `vmm386 inspect --step N
 * --json` prints for it: on every example, the worker's session (the code
 * the page's Web Worker runs) is taken to the end and back to steps 0, 1,
 * the middle and the end, and its inspect object is compared with the
 * inspect command's output at the same step (the command run in this
 * process, its standard output captured).
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inspectCommand } from "./inspect-command.js";
import { Session } from "../../src/web/worker/session.js";

const EXAMPLES = readdirSync("examples").filter((f) => f.endsWith(".yaml")).sort();
describe("the playground's state equals vmm386 inspect --json", () => {
  for (const name of EXAMPLES) {
    it(`${name}: steps 0, 1, the middle and the end, reached by going back from the end`, async () => {
      const file = `examples/${name}`;
      const session = await Session.open({ source: { kind: "scenario", file, text: readFileSync(file, "utf8") }, policies: [] }, () => undefined);
      try {
        const total = session.loaded().totalSteps;
        for (const step of [total, 0, 1, Math.floor(total / 2), total]) {
          session.seek(total, "step");
          session.seek(step, "step");
          const shown = JSON.parse(JSON.stringify(session.state().inspect)) as unknown;
          expect(shown).toEqual(await inspectCommand(file, step));
        }
      } finally {
        session.close();
      }
    });
  }
});
