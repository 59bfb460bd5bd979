import { describe, expect, it } from 'vitest';

import { insertIntoEditContext } from '@/lib/paste/edit-context';
import { FIELD_VISIBILITY_SLOT } from '@/lib/paste/field-visibility';
import { insertIntoField } from '@/lib/paste/insert-into-field';
import { noticeMessage, PASTE_NOTICE_KINDS } from '@/lib/paste/notice';

describe('the visibility check', () => {
  it('is looked up by the insertion under the name it is installed with', () => {
    // The injected insertion cannot import the constant: it names the slot itself.
    expect(insertIntoField.toString()).toContain(FIELD_VISIBILITY_SLOT);
    expect(insertIntoEditContext.toString()).toContain(FIELD_VISIBILITY_SLOT);
  });

  it('has a notice for each refusal', () => {
    expect(PASTE_NOTICE_KINDS).toEqual(expect.arrayContaining(['no-focus', 'hidden-field']));
    expect(noticeMessage('hidden-field').messageKey).toBe('pasteNoticeHiddenField');
    expect(noticeMessage('no-focus').messageKey).toBe('pasteNoticeNoFocus');
  });
});
