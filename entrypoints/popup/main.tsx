import '@/components/theme.css';
import './style.css';

import { render } from 'preact';

import { PopupApp } from '@/components/PopupApp';
import { localizeDocument, t } from '@/lib/i18n';
import { linkPopup } from '@/lib/handoff/popup-port';
import { browserPlatform } from '@/lib/popup/browser-platform';
import { PopupController } from '@/lib/popup/controller';
import { drawOnChange } from '@/lib/ui/state-store';
import { watchUserActs } from '@/lib/ui/user-acts';

localizeDocument(t('extName'));
watchUserActs();
// Tells the background when the popup closes, for a paste waiting on this popup's sign-in.
linkPopup();
const controller = new PopupController(browserPlatform);
drawOnChange(controller, (state) =>
  render(<PopupApp state={state} controller={controller} />, document.getElementById('app')!),
);
void controller.start();
