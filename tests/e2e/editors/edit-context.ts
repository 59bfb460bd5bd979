/**
 * A bare EditContext editor, as the API's own examples write one: the text lives in the
 * EditContext, and `textupdate` redraws it. `?listens=none` is an editor that takes text some
 * other way the extension cannot reach (it handles neither `paste` nor `textupdate`).
 */
import { expose } from './harness';

interface EditContextLike extends EventTarget {
  readonly text: string;
  readonly selectionStart: number;
  readonly selectionEnd: number;
  updateText(start: number, end: number, text: string): void;
  updateSelection(start: number, end: number): void;
}

const element = document.getElementById('editor') as HTMLElement & { editContext: EditContextLike | null };
const { EditContext } = window as unknown as { EditContext: new () => EditContextLike };
const editContext = new EditContext();
element.editContext = editContext;

/** The editor's own model: what it took through the events it handles. */
let model = '';
const render = () => {
  model = editContext.text;
  element.textContent = model;
};
if (new URLSearchParams(location.search).get('listens') !== 'none') {
  editContext.addEventListener('textupdate', render);
}
element.addEventListener('click', () => element.focus());

expose({
  text: () => model,
  setUp(text, caret) {
    editContext.updateText(0, editContext.text.length, text);
    editContext.updateSelection(caret, caret);
    render();
    element.focus();
  },
});
