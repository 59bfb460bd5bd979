/** CodeMirror 6: the EditorState's document is the truth. */
import { EditorView } from '@codemirror/view';

import { expose } from './harness';

const view = new EditorView({ parent: document.getElementById('editor')! });

expose({
  text: () => view.state.doc.toString(),
  setUp(text, caret) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: caret } });
    view.focus();
  },
});
