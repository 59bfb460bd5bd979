import { useEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { AccessStatus, ConnectionTestState } from '../lib/options/controller';
import type { ServerSettings } from '../lib/settings/schema';
import { ConnectionReport } from './ConnectionReport';

export interface ServerCardProps {
  server: ServerSettings;
  isDefault: boolean;
  access: AccessStatus | undefined;
  test: ConnectionTestState | undefined;
  /** The popup sent the user here for this server: bring it into view. */
  focused: boolean;
  onGrant: () => void;
  onTest: () => void;
  onEdit: () => void;
  onMakeDefault: () => void;
  onRemove: () => void;
}

/** One saved server: where it is, whether the browser lets us reach it, and what to do with it. */
export function ServerCard(props: ServerCardProps) {
  const { server, isDefault, access, test, focused } = props;
  const cardRef = useRef<HTMLLIElement>(null);
  const grantRef = useRef<HTMLButtonElement>(null);
  const nameId = `server-name-${server.id}`;

  useEffect(() => {
    if (!focused) return;
    cardRef.current?.scrollIntoView({ block: 'center' });
    grantRef.current?.focus();
  }, [focused, access]);

  return (
    <li ref={cardRef} class={focused ? 'server focused' : 'server'} aria-labelledby={nameId}>
      <h3>
        <span id={nameId}>{server.name}</span>
        {isDefault && <span class="badge">{t('optionsDefaultBadge')}</span>}
      </h3>
      <p class="url">{server.url}</p>
      {server.email && <p class="muted">{server.email}</p>}
      <p class="access" data-testid="access">
        {/* Said plainly, not in green: access is the browser's permission, not whether the server
            answers, which Test connection says (a granted server may still be down). */}
        {access === 'granted' && <span>{t('optionsAccessGranted')}</span>}
        {access === 'asking' && <span>{t('optionsAccessAsking')}</span>}
        {access === 'not-granted' && (
          <>
            <span>{t('optionsAccessNotGranted')}</span>
            <button ref={grantRef} type="button" class="primary" onClick={props.onGrant}>
              {t('optionsGrantAccess')}
            </button>
          </>
        )}
      </p>
      <div class="actions">
        <button type="button" onClick={props.onTest} disabled={test?.status === 'running'}>
          {t('optionsTestConnection')}
        </button>
        <button type="button" onClick={props.onEdit}>
          {t('optionsEdit')}
        </button>
        {!isDefault && (
          <button type="button" onClick={props.onMakeDefault}>
            {t('optionsMakeDefault')}
          </button>
        )}
        <button type="button" onClick={props.onRemove}>
          {t('optionsRemove')}
        </button>
      </div>
      <ConnectionReport test={test} />
    </li>
  );
}
