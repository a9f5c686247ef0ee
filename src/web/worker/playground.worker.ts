/**
 * The playground's Web Worker: the real machine, kernel and simulation run
 * here, off the page's thread. Each request gets one reply; a problem with
 * the user's input is a reply in the command line's words, and anything
 * else that goes wrong is reported as a problem too — the worker stays
 * alive and keeps its last good run.
 */
import { ScenarioError } from "../../sim/scenario/types.js";
import type { InputProblem, Reply, Request, RequestMessage, WorkerMessage } from "../protocol.js";
import { Session } from "./session.js";
import { parseScenario } from "../../sim/scenario/parse.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<RequestMessage>) => void) | null;
  postMessage(message: WorkerMessage): void;
}

const scope = self as unknown as WorkerScope;
let session: Session | null = null;

scope.onmessage = (e) => {
  const { id, request } = e.data;
  let reply: Reply;
  try {
    reply = handle(id, request);
  } catch (error) {
    reply = { type: "problem", problem: problemOf(error) };
  }
  scope.postMessage({ id, reply });
};

function handle(id: number, request: Request): Reply {
  switch (request.type) {
    case "check":
      return { type: "checked", problem: check(request.file, request.text) };
    case "load": {
      const next = Session.open(request.run, (done) => scope.postMessage({ id, progress: { what: "exploring", done, total: 0 } }));
      session?.close();
      session = next;
      return { type: "loaded", loaded: next.loaded(), state: next.state() };
    }
    case "seek": {
      const t0 = performance.now();
      current().seek(request.to, request.unit);
      const t1 = performance.now();
      const state = current().state();
      return { type: "state", state, timing: { seekMs: t1 - t0, viewMs: performance.now() - t1 } };
    }
    case "predict": {
      const outcome = current().predict();
      if (outcome === null) return { type: "state", state: current().state() };
      return { type: "predicted", outcome, state: current().state() };
    }
    case "mrc":
      return { type: "mrc", result: current().missRatioCurves() };
  }
}

function current(): Session {
  if (session === null) throw new Error("nothing is loaded yet");
  return session;
}

/** Parses `text` as the scenario file `file`; its problem in the command line's words, or null. */
function check(file: string, text: string): InputProblem | null {
  try {
    parseScenario(text, file);
    return null;
  } catch (e) {
    return problemOf(e);
  }
}

/** An error as the page shows it: the message the command line prints, and the line it names. */
function problemOf(error: unknown): InputProblem {
  const message = error instanceof Error ? error.message : String(error);
  const where = error instanceof ScenarioError ? error.where : message;
  const m = /^[^:]+:(\d+)(?::|$)/.exec(where);
  return { message, line: m === null ? null : Number(m[1]) };
}
