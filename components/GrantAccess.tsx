import { useEffect, useState } from 'preact/hooks';

import type { Translate } from '../lib/i18n';

type Status = 'asking' | 'granted' | 'refused' | 'failed';

interface GrantAccessProps {
  t: Translate;
  /** The server to grant access to; null when the page was opened with a bad address. */
  host: string | null;
  /** Shows "granted" straight away when access was given already (say, in another tab). */
  hasAccess: () => Promise<boolean>;
  /** Must call the browser's permission request synchronously: see the click handler. */
  requestAccess: () => Promise<boolean>;
}

/** The grant page: why access is needed, and the button that asks the browser for it. */
export function GrantAccess({ t, host, hasAccess, requestAccess }: GrantAccessProps) {
  const [status, setStatus] = useState<Status>('asking');

  useEffect(() => {
    if (host === null) return;
    hasAccess().then(
      (granted) => granted && setStatus('granted'),
      () => {
        // Unknown: the button is still there to ask.
      },
    );
  }, [host]);

  if (host === null) {
    return (
      <main class="page">
        <h1>{t('extName')}</h1>
        <p class="alert" role="alert">
          {t('grantInvalidOrigin')}
        </p>
      </main>
    );
  }

  const grant = () => {
    // First thing in the click, no await before it: browsers only show the permission prompt
    // during the user's gesture, and an await ends it.
    const request = requestAccess();
    request.then(
      (granted) => setStatus(granted ? 'granted' : 'refused'),
      () => setStatus('failed'),
    );
  };

  return (
    <main class="page">
      <h1>{t('grantHeading')}</h1>
      <p>{t('grantExplanation', [host])}</p>
      {status !== 'granted' && (
        <button type="button" class="primary" onClick={grant}>
          {t('grantButton', [host])}
        </button>
      )}
      <p class={status === 'granted' ? 'success' : status === 'asking' ? '' : 'alert'} role="status">
        {status === 'granted' && t('grantGranted')}
        {status === 'refused' && t('grantRefused', [host])}
        {status === 'failed' && t('errorUnexpected')}
      </p>
    </main>
  );
}
