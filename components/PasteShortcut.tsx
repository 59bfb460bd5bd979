import { t } from '../lib/i18n';

interface PasteShortcutProps {
  /** As the browser reports it; '' when the user removed it. */
  shortcut: string;
  /** The browser page where shortcuts are set. */
  settingsPage: string;
}

/** The real shortcut of "Paste RAGFlow key", which the user may have changed. */
export function PasteShortcut({ shortcut, settingsPage }: PasteShortcutProps) {
  return (
    <p class="shortcut" data-testid="paste-shortcut">
      {shortcut === '' ? t('popupPasteShortcutNotSet', [settingsPage]) : t('popupPasteShortcut', [shortcut])}
    </p>
  );
}
