import '@/components/theme.css';

import { render } from 'preact';
import { browser } from 'wxt/browser';

import { GrantAccess } from '@/components/GrantAccess';
import { parseGrantOrigin } from '@/lib/grant/origin';
import { localizeDocument, t } from '@/lib/i18n';

localizeDocument(t('grantTitle'));
const origin = parseGrantOrigin(new URLSearchParams(location.search).get('origin'));

render(
  <GrantAccess
    t={t}
    host={origin?.host ?? null}
    hasAccess={() => (origin ? browser.permissions.contains({ origins: [origin.pattern] }) : Promise.resolve(false))}
    requestAccess={() => (origin ? browser.permissions.request({ origins: [origin.pattern] }) : Promise.resolve(false))}
  />,
  document.getElementById('app')!,
);
