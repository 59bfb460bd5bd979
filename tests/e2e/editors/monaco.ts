/**
 * Monaco, as VS Code for the web types: `?input=edit-context` (Monaco's default in Chromium) or
 * `?input=textarea`. Plain text only, and the editor worker built beside this page.
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';

import { expose } from './harness';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new Worker('/editors/monaco.worker.js', { type: 'module' }),
};

const input = new URLSearchParams(location.search).get('input') ?? 'edit-context';
const editor = monaco.editor.create(document.getElementById('editor')!, {
  value: '',
  language: 'plaintext',
  editContext: input === 'edit-context',
  minimap: { enabled: false },
  automaticLayout: false,
});

expose({
  text: () => editor.getModel()!.getValue(),
  setUp(text, caret) {
    editor.setValue(text);
    const position = editor.getModel()!.getPositionAt(caret);
    editor.setSelection(
      new monaco.Selection(position.lineNumber, position.column, position.lineNumber, position.column),
    );
    editor.focus();
  },
});
