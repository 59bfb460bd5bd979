/**
 * What every editor page offers the test: the editor's own state, read through the library's
 * API (not the DOM), and a way to fill it and place the caret as a user would have left them.
 */
export interface EditorUnderTest {
  /** The text as the library holds it: its state, model or document. */
  text(): string;
  /** Replaces the content with `text`, focuses the editor and puts the caret at `caret`. */
  setUp(text: string, caret: number): Promise<void> | void;
}

declare global {
  interface Window {
    editorUnderTest?: EditorUnderTest;
  }
}

export function expose(editor: EditorUnderTest): void {
  window.editorUnderTest = editor;
}

/** A task later: frameworks that re-render after a state change have done so by then. */
export const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
