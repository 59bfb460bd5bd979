/** Svelte 5, `bind:value` on a `$state` rune: the component's state is the truth. */
import { flushSync, mount } from 'svelte';

import Field from './Field.svelte';
import { expose } from './harness';

const field = mount(Field, { target: document.getElementById('editor')! }) as {
  getValue(): string;
  setValue(value: string): void;
};

expose({
  text: () => field.getValue(),
  setUp(text, caret) {
    field.setValue(text);
    flushSync();
    const input = document.getElementById('field') as HTMLInputElement;
    input.focus();
    input.setSelectionRange(caret, caret);
  },
});
