import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';

interface RowConfirmProps {
  question: string;
  /** Where the key was pasted, by host: the places to update. Empty when none is known. */
  places?: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** Choices that go with the question, between it and the buttons. */
  children?: ComponentChildren;
}

/**
 * Asks before something irreversible is done to a key, in the row itself: `window.confirm` is
 * blocked or out of place in a popup. Focus goes to Cancel, so that a stray Enter keeps the key;
 * Escape cancels from anywhere in the question.
 */
export function RowConfirm({ question, places, confirmLabel, busy, onConfirm, onCancel, children }: RowConfirmProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape is caught here as it bubbles from the question's own controls, which are the interactive elements.
    <div
      class="confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <p>{question}</p>
      {places && <p class="hint">{t('keysUpdatePlaces', [places])}</p>}
      {children}
      <button type="button" class="danger" disabled={busy} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button ref={cancelRef} type="button" onClick={onCancel}>
        {t('keysCancel')}
      </button>
    </div>
  );
}
