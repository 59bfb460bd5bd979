/** React 19, a controlled input: the state is the truth, and the input shows it. */
import { createElement, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';

import { expose } from './harness';

let state = '';
let setState: (value: string) => void = () => {};

function Field() {
  const [value, setValue] = useState('');
  state = value;
  setState = setValue;
  return createElement('input', {
    id: 'field',
    value,
    onChange: (event: { target: HTMLInputElement }) => setValue(event.target.value),
  });
}

createRoot(document.getElementById('editor')!).render(createElement(Field));

expose({
  text: () => state,
  setUp(text, caret) {
    flushSync(() => setState(text));
    const input = document.getElementById('field') as HTMLInputElement;
    input.focus();
    input.setSelectionRange(caret, caret);
  },
});
