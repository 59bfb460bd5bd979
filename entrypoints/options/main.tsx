import '@/components/theme.css';
import './style.css';

import { render } from 'preact';

import { OptionsApp } from '@/components/OptionsApp';
import { autoClearAvailable } from '@/lib/clipboard/auto-clear-available';
import { localizeDocument, t, uiLanguageName } from '@/lib/i18n';
import { browserPlatform } from '@/lib/options/browser-platform';
import { OptionsController, serverFromLocationHash } from '@/lib/options/controller';

localizeDocument(t('optionsTitle'));
const controller = new OptionsController(browserPlatform);
render(
  <OptionsApp
    controller={controller}
    clipboardAutoClearAvailable={autoClearAvailable()}
    uiLanguage={uiLanguageName()}
  />,
  document.getElementById('app')!,
);
void controller.start(serverFromLocationHash(location.hash));
