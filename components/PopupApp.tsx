import { t } from '../lib/i18n';
import { SHORTCUT_SETTINGS_PAGE } from '../lib/handoff/paste-command';
import type { PopupController, PopupState } from '../lib/popup/controller';
import { webSessionLeads } from '../lib/popup/web-session';
import { lazyComponent } from '../lib/ui/lazy';
import { ApiKeySignIn } from './ApiKeySignIn';
import { ErrorAlert } from './ErrorAlert';
import { type FieldError, KeyForm } from './KeyForm';
import { KeyManager } from './KeyManager';
import { KeyResult } from './KeyResult';
import { PasteShortcut } from './PasteShortcut';
import { ServerPicker } from './ServerPicker';
import { WebSessionWarning } from './WebSessionWarning';

// Shown only in some states (the web app open, an unknown email, a first run over a RAGFlow
// page): their code loads when they first show, not with every opening of the popup.
const CreateAccount = lazyComponent(() => import('./CreateAccount').then((module) => module.CreateAccount));
const PageServerOffer = lazyComponent(() => import('./PageServerOffer').then((module) => module.PageServerOffer));
const WebSessionOffer = lazyComponent(() => import('./WebSessionOffer').then((module) => module.WebSessionOffer));

const FIELD_ALERT_ID = 'field-alert';

/**
 * The whole popup: the form or the key, the alert, and Settings at the top, always in view. Drawn
 * from the store's state on each change (../entrypoints/popup/main.tsx).
 */
export function PopupApp({ state, controller }: { state: PopupState; controller: PopupController }) {
  const { busy } = state;
  const web = state.view === 'form' ? state.web : null;
  const leads = web !== null && webSessionLeads(web);
  const webSessionOffer = leads && (
    <WebSessionOffer
      state={web}
      busy={busy}
      running={state.flow === 'web-session'}
      step={state.step}
      onUse={() => void controller.useWebSession()}
      onCancel={() => controller.cancel()}
    />
  );
  const alertHandlers = {
    onGrantAccess: () => void controller.openGrantPage(),
    onAllowCleartext: () => void controller.allowCleartext(),
    onSetPublicKey: () => void controller.openPublicKeySettings(),
  };
  const field = state.view === 'form' ? state.alert?.field : undefined;
  const fieldError: FieldError | null = field
    ? {
        field,
        id: FIELD_ALERT_ID,
        message: <ErrorAlert alert={state.alert} id={FIELD_ALERT_ID} {...alertHandlers} />,
      }
    : null;
  // Which form's flow runs: the account's, once offered, or the sign-in's.
  const creating = state.view === 'form' && state.offerCreateAccount;

  return (
    <main class="popup" aria-busy={state.view === 'loading'}>
      <header class="popup-head">
        <h1>{t('extName')}</h1>
        <button type="button" class="link" onClick={() => void controller.openOptions()}>
          {t('popupSettings')}
        </button>
      </header>
      {state.view === 'form' && (
        <>
          <ServerPicker
            servers={state.servers}
            selectedId={state.serverId}
            onSelect={(serverId) => void controller.selectServer(serverId)}
          />
          {state.web.pageOffer && state.form.serverUrl === '' && (
            <PageServerOffer offer={state.web.pageOffer} onCheck={() => void controller.checkPage()} />
          )}
          <KeyForm
            values={state.form}
            busy={busy}
            running={state.flow === 'sign-in'}
            step={state.step}
            onCancel={() => controller.cancel()}
            primary={!leads && !creating}
            focusElsewhere={leads && state.web.tabId !== null}
            hidePassword={state.web.passwordLoginAllowed === false}
            serverUrlFilled={state.serverUrlFilled}
            fieldError={fieldError?.field === 'nickname' ? null : fieldError}
            afterServer={webSessionOffer}
            onChange={(name, value) => void controller.setField(name, value)}
            onServerUrlLeft={() => void controller.serverUrlLeft()}
            onSubmit={() => void controller.submit()}
          />
          <WebSessionWarning state={state.web} />
          <ApiKeySignIn
            apiKey={state.form.apiKey}
            busy={busy}
            onChange={(apiKey) => void controller.setField('apiKey', apiKey)}
            onSubmit={() => void controller.signInWithApiKey()}
          />
        </>
      )}
      {state.view === 'key' && (
        <KeyResult
          result={state.result}
          copied={state.copied}
          clipboardClearSeconds={state.clipboardClearSeconds}
          busy={state.busy}
          alsoLogOutOfServer={state.alsoLogOutOfServer}
          onCopy={() => void controller.copyKey()}
          onAlsoLogOutOfServerChange={(value) => controller.setAlsoLogOutOfServer(value)}
          onSignOut={() => void controller.signOut()}
        >
          <KeyManager
            state={state.keys}
            list={controller.keyList}
            onToggle={() => void controller.toggleKeyList()}
            onPrepare={() => void controller.loadKeyList().catch(() => {})}
          />
        </KeyResult>
      )}
      {!fieldError && <ErrorAlert alert={state.alert} {...alertHandlers} />}
      {creating && (
        <CreateAccount
          nickname={state.form.nickname}
          busy={busy}
          running={state.flow === 'create'}
          step={state.step}
          fieldError={fieldError}
          onNicknameChange={(nickname) => void controller.setField('nickname', nickname)}
          onSubmit={() => void controller.createAccount()}
          onCancel={() => controller.cancel()}
        />
      )}
      {state.pasteShortcut !== null && (
        <PasteShortcut shortcut={state.pasteShortcut} settingsPage={SHORTCUT_SETTINGS_PAGE} />
      )}
    </main>
  );
}
