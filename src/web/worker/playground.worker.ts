/**
 * The playground's Web Worker: the real machine, kernel and simulation run
 * here, off the page's thread. Each request gets one reply; a problem with
 * the user's input is a reply in the command line's words, and anything
 * else that goes wrong is reported as a problem too — the worker stays
 * alive and keeps its last good run.
 */
import { InputError } from "../../machine/input-error.js";
import { ScenarioError } from "../../sim/scenario/types.js";
import type { InputProblem, Reply, Request, RequestMessage, SentState, WorkerMessage } from "../protocol.js";
import { Session, type Progress } from "./session.js";
import { SeriesSender } from "../series-patch.js";
import type { TableChoices } from "../table-choice.js";
import { parseScenario } from "../../sim/scenario/parse.js";
import { hasBinaryMagic } from "../../sim/trace/trace-format.js";
import { putMemoryFile } from "../../sim/trace/memory-files.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<RequestMessage>) => void) | null;
  postMessage(message: WorkerMessage): void;
}

const scope = self as unknown as WorkerScope;
let session: Session | null = null;
/** The last progress note sent: what it said, and when. */
let told = { what: "", at: 0 };
/** The student's choices of page tables shown (kept from run to run, as the page keeps them). */
let tables: TableChoices = {};
const series = new SeriesSender();
/** Progress notes of one phase are sent this far apart at least. */
const PROGRESS_MS = 100;

// One request at a time, in order: a trace's load awaits its reading, and the next waits for it.
let queue: Promise<void> = Promise.resolve();

/** Requests received and not yet answered: idle work waits for none. */
let pending = 0;

scope.onmessage = (e) => {
  const { id, request } = e.data;
  pending++;
  clearTimeout(idleTimer);
  queue = queue.then(async () => {
    let reply: Reply<SentState>;
    try {
      reply = await handle(id, request);
    } catch (error) {
      reply = { type: "problem", problem: problemOf(error) };
    }
    scope.postMessage({ id, reply });
    if (--pending === 0) idleTimer = setTimeout(settleSoon, SETTLE_AFTER_MS);
  });
};

/**
 * Idle work (Session.settle) starts once the page asked nothing for this long: a student scrubbing or stepping
 * keeps the worker, and the machine's cores, for the moves asked.
 */
const SETTLE_AFTER_MS = 250;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
/** Moves made in one slice of idle work: about a millisecond, so that a request arriving meanwhile hardly waits. */
const SETTLE_MOVES = 500;
/** Idle work yields between slices through a channel (timers nested this deep are held back 4 ms each). */
const idle = new MessageChannel();
let settling = false;

/** Goes on with the session's idle work in slices while no request waits. */
function settleSoon(): void {
  if (settling) return;
  settling = true;
  idle.port2.postMessage(null);
}

idle.port1.onmessage = () => {
  settling = false;
  if (pending === 0 && session?.settle(SETTLE_MOVES) === true) settleSoon();
};

async function handle(id: number, request: Request): Promise<Reply<SentState>> {
  const progress = (what: string, done: number, total = 0): void => {
    // Each note redraws the page: a few a second are enough (a new phase is always told).
    const now = performance.now();
    if (what === told.what && now - told.at < PROGRESS_MS) return;
    told = { what, at: now };
    scope.postMessage({ id, progress: { what, done, total } });
  };
  switch (request.type) {
    case "check":
      return { type: "checked", problem: check(request.file, request.text) };
    case "load": {
      const source = request.run.source;
      const traceName = source.kind === "trace" ? await uploadedTrace(source.name, source.bytes, progress) : source.kind === "refs" ? typedReferenceString(source.text) : null;
      const next = traceName !== null ? await Session.openTrace(traceName, request.run, progress) : await Session.open(request.run, (done) => progress("exploring", done));
      session?.close();
      session = next;
      return { type: "loaded", loaded: next.loaded(), state: stateNow() };
    }
    case "seek": {
      const t0 = performance.now();
      current().seek(request.to, request.unit);
      const t1 = performance.now();
      const state = stateNow();
      return { type: "state", state, timing: { seekMs: t1 - t0, viewMs: performance.now() - t1 } };
    }
    case "predict": {
      const outcome = current().predict();
      if (outcome === null) return { type: "state", state: stateNow() };
      return { type: "predicted", outcome, state: stateNow() };
    }
    case "tables":
      tables = request.choices;
      return { type: "state", state: series.send(current().shown(tables)) };
    case "mrc":
      return { type: "mrc", result: current().missRatioCurves() };
  }
}

/** The current point as sent: the tables the student sees, the samples as a patch. */
function stateNow(): SentState {
  return series.send(current().state(tables));
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
  // Only a scenario's line is one of the editor's (a trace's names its file).
  if (!(error instanceof ScenarioError) || error.where === undefined) return { message, line: null };
  const m = /^[^:]+:(\d+)(?::|$)/.exec(error.where);
  return { message, line: m === null ? null : Number(m[1]) };
}

/**
 * Puts an uploaded trace in memory under its name for the trace readers:
 * gunzipped first if it is gzip (the browser's DecompressionStream), with a
 * newline added to a text trace that lacks a last one. Returns the name.
 */
async function uploadedTrace(name: string, upload: ArrayBuffer, progress: Progress): Promise<string> {
  let bytes: Uint8Array = new Uint8Array(upload);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes, (n) => progress("decompressing (bytes)", n));
  const text = !hasBinaryMagic(bytes) && !bytes.subarray(0, 4096).includes(0);
  if (text && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
    const ended = new Uint8Array(bytes.length + 1);
    ended.set(bytes);
    ended[bytes.length] = 0x0a;
    bytes = ended;
  }
  putMemoryFile(name, bytes);
  return name;
}

/** What a typed reference string is called, as a trace in memory. */
const TYPED_REFS = "reference string";
/** Virtual pages of a 32-bit address space: a page number is below this. */
const PAGE_NUMBERS = 1 << 20;

/**
 * Puts the typed reference string ("1,2,3,4,1,2,5": page numbers between
 * commas or blanks) in memory as a reference-string trace, one number a
 * line, and returns its name; a word that is no page number is refused, named.
 */
function typedReferenceString(text: string): string {
  const words = text.split(/[\s,]+/).filter((w) => w !== "");
  if (words.length === 0) throw new InputError("no page numbers (type them between commas or blanks: 1,2,3,4,1,2,5)", TYPED_REFS);
  const bad = words.findIndex((w) => !/^\d{1,7}$/.test(w) || Number(w) >= PAGE_NUMBERS);
  if (bad >= 0) throw new InputError(`'${words[bad]}' (reference ${bad + 1}) is not a page number (0 to ${PAGE_NUMBERS - 1})`, TYPED_REFS);
  putMemoryFile(TYPED_REFS, new TextEncoder().encode(words.join("\n") + "\n"));
  return TYPED_REFS;
}

/** The gzip stream's bytes, decompressed (the browser's DecompressionStream, read whole). */
async function gunzip(bytes: Uint8Array, onBytes: (n: number) => void): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  const out = new Uint8Array(await new Response(stream).arrayBuffer());
  onBytes(out.length);
  return out;
}
