/** Lexical, plain text: the editor state is the truth. */
import { registerPlainText } from '@lexical/plain-text';
import { $createParagraphNode, $createTextNode, $getRoot, createEditor } from 'lexical';

import { expose } from './harness';

const root = document.createElement('div');
root.contentEditable = 'true';
root.style.minHeight = '100%';
document.getElementById('editor')!.append(root);
const editor = createEditor({ namespace: 'test', onError: (error) => console.error(error) });
editor.setRootElement(root);
registerPlainText(editor);

expose({
  text: () => editor.getEditorState().read(() => $getRoot().getTextContent()),
  setUp(text, caret) {
    root.focus();
    editor.update(
      () => {
        const paragraph = $createParagraphNode();
        const node = $createTextNode(text);
        paragraph.append(node);
        $getRoot().clear().append(paragraph);
        node.select(caret, caret);
      },
      { discrete: true },
    );
  },
});
