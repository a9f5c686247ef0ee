/**
 * The scenario's YAML in CodeMirror, checked as it is typed by the same
 * parser and schema the command line uses: a problem is shown on the line
 * it names, in the command line's words, and under the editor.
 */
import { useEffect, useRef } from "preact/hooks";
import { EditorView, basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import type { InputProblem } from "../protocol.js";

export interface EditorProps {
  readonly text: string;
  readonly problem: InputProblem | null;
  onChange(text: string): void;
}

export function ScenarioEditor(p: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(p.onChange);
  onChange.current = p.onChange;
  // The text the page gave; a change that only puts it in the editor is not the student's edit.
  const given = useRef(p.text);
  given.current = p.text;

  useEffect(() => {
    if (host.current === null) return;
    view.current = new EditorView({
      doc: p.text,
      parent: host.current,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        linter(null),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          const text = u.state.doc.toString();
          if (text !== given.current) onChange.current(text);
        }),
        EditorView.contentAttributes.of({ "aria-label": "scenario YAML" }),
      ],
    });
    return () => view.current?.destroy();
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v === null || v.state.doc.toString() === p.text) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: p.text } });
  }, [p.text]);

  useEffect(() => {
    const v = view.current;
    if (v === null) return;
    v.dispatch(setDiagnostics(v.state, diagnosticsOf(v, p.problem)));
  }, [p.problem, p.text]);

  return (
    <section class="panel editor" aria-labelledby="editor-title">
      <h2 id="editor-title">Scenario</h2>
      <div ref={host} class="cm-host" />
      {p.problem !== null && (
        <p class="problem" role="alert" data-testid="problem">
          {p.problem.message}
        </p>
      )}
    </section>
  );
}

function diagnosticsOf(view: EditorView, problem: InputProblem | null): Diagnostic[] {
  if (problem === null) return [];
  const doc = view.state.doc;
  const line = doc.line(Math.min(Math.max(problem.line ?? 1, 1), doc.lines));
  return [{ from: line.from, to: line.to, severity: "error", message: problem.message }];
}
