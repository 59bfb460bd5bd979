import '@/components/theme.css';
import './style.css';

import { render } from 'preact';

import { PopupApp } from '@/components/PopupApp';
import { localizeDocument, t } from '@/lib/i18n';
import { browserPlatform } from '@/lib/popup/browser-platform';
import { PopupController } from '@/lib/popup/controller';

localizeDocument(t('extName'));
const controller = new PopupController(browserPlatform);
render(<PopupApp t={t} controller={controller} />, document.getElementById('app')!);
void controller.start();
