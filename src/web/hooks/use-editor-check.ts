/** The editor is checked as it is typed: the worker parses, after 250 ms of quiet; its problem (or none) is shown. */
import { useEffect } from "preact/hooks";
import type { InputProblem } from "../protocol.js";
import type { WorkerClient } from "../worker-client.js";
import type { Editor } from "./use-run-choice.js";

export function useEditorCheck(worker: WorkerClient, editor: Editor, edited: boolean, setProblem: (p: InputProblem | null) => void): void {
  useEffect(() => {
    if (!edited) return;
    const timer = setTimeout(() => {
      void worker.request({ type: "check", file: editor.file, text: editor.text }).then((r) => {
        if (r.type === "checked") setProblem(r.problem);
      });
    }, 250);
    return () => clearTimeout(timer);
  }, [editor, edited, worker]);
}
