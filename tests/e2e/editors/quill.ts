/** Quill 2: its Delta document is the truth (getText ends with the newline Quill always keeps). */
import Quill from 'quill';

import { expose } from './harness';

const quill = new Quill(document.getElementById('editor')!);

expose({
  text: () => quill.getText().replace(/\n$/, ''),
  setUp(text, caret) {
    quill.setText(text);
    quill.focus();
    quill.setSelection(caret, 0);
  },
});
