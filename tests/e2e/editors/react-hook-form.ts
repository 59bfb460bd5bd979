/** react-hook-form: an uncontrolled input registered with the form; its values are the truth. */
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { type UseFormReturn, useForm } from 'react-hook-form';

import { expose } from './harness';

let form: UseFormReturn<{ apiKey: string }> | undefined;

function Form() {
  form = useForm<{ apiKey: string }>({ defaultValues: { apiKey: '' } });
  return createElement('form', null, createElement('input', { id: 'field', ...form.register('apiKey') }));
}

flushSync(() => createRoot(document.getElementById('editor')!).render(createElement(Form)));

expose({
  text: () => form!.getValues('apiKey'),
  setUp(text, caret) {
    form!.setValue('apiKey', text);
    const input = document.getElementById('field') as HTMLInputElement;
    input.focus();
    input.setSelectionRange(caret, caret);
  },
});
