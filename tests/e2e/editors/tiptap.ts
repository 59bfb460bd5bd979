/** TipTap on ProseMirror: the editor state's document is the truth. */
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';

import { expose } from './harness';

const editor = new Editor({ element: document.getElementById('editor')!, extensions: [StarterKit], content: '' });

expose({
  text: () => editor.state.doc.textContent,
  setUp(text, caret) {
    // Position 1 is the start of the first paragraph's text.
    editor
      .chain()
      .setContent({ type: 'doc', content: [{ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] }] })
      .focus()
      .setTextSelection(caret + 1)
      .run();
  },
});
