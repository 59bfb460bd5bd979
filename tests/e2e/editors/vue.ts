/**
 * Vue 3 `v-model` on an input, written as the render function Vue's template compiler makes of
 * `<input v-model="value">` (the vModelText directive and an `onUpdate:modelValue` handler), so
 * the page needs no runtime template compiler.
 */
import { createApp, h, nextTick, ref, vModelText, withDirectives } from 'vue';

import { expose } from './harness';

const value = ref('');

createApp({
  render: () =>
    withDirectives(
      h('input', {
        id: 'field',
        'onUpdate:modelValue': (next: string) => {
          value.value = next;
        },
      }),
      [[vModelText, value.value]],
    ),
}).mount('#editor');

expose({
  text: () => value.value,
  async setUp(text, caret) {
    value.value = text;
    await nextTick();
    const input = document.getElementById('field') as HTMLInputElement;
    input.focus();
    input.setSelectionRange(caret, caret);
  },
});
