import { t } from '../lib/i18n';
import { SHORTCUT_SETTINGS_PAGE } from '../lib/handoff/paste-command';
import type { PopupController } from '../lib/popup/controller';
import { selectedServerId } from '../lib/popup/form';
import type { WebSessionController } from '../lib/popup/web-session';
import { useStoreState } from '../lib/ui/use-store-state';
import { ApiKeySignIn } from './ApiKeySignIn';
import { CreateAccount } from './CreateAccount';
import { ErrorAlert } from './ErrorAlert';
import { KeyForm } from './KeyForm';
import { KeyManager } from './KeyManager';
import { KeyResult } from './KeyResult';
import { PageServerOffer } from './PageServerOffer';
import { PasteShortcut } from './PasteShortcut';
import { ServerPicker } from './ServerPicker';
import { StepIndicator } from './StepIndicator';
import { WebSessionOffer } from './WebSessionOffer';

/** The whole popup: the form or the key, the step and the alert. */
export function PopupApp(props: { controller: PopupController; webSession: WebSessionController }) {
  const { controller, webSession } = props;
  const state = useStoreState(controller);
  const web = useStoreState(webSession);
  const busy = state.busy || web.busy;
  const webSessionOffer = (lead: boolean) => (
    <WebSessionOffer state={web} lead={lead} busy={busy} onUse={() => void webSession.use()} />
  );

  return (
    <main class="popup" aria-busy={state.view === 'loading'}>
      <h1>{t('extName')}</h1>
      {state.view === 'form' && (
        <>
          <ServerPicker
            servers={state.servers}
            selectedId={selectedServerId(state.servers, state.form.serverUrl)}
            onSelect={(serverId) => controller.selectServer(serverId)}
          />
          {web.pageOffer && state.form.serverUrl === '' && (
            <PageServerOffer offer={web.pageOffer} onCheck={() => void webSession.checkPage()} />
          )}
          {webSessionOffer(true)}
          <KeyForm
            values={state.form}
            busy={busy}
            hidePassword={web.passwordLoginAllowed === false}
            serverUrlFilled={state.serverUrlFilled}
            onChange={(field, value) => controller.setField(field, value)}
            onSubmit={() => void controller.submit()}
          />
          {webSessionOffer(false)}
          <ApiKeySignIn
            apiKey={state.form.apiKey}
            busy={busy}
            onChange={(apiKey) => controller.setField('apiKey', apiKey)}
            onSubmit={() => void controller.signInWithApiKey()}
          />
          <StepIndicator step={state.step ?? web.step} />
        </>
      )}
      {state.view === 'result' && state.result && (
        <KeyResult
          result={state.result}
          copied={state.copied}
          clipboardClearSeconds={state.clipboardClearSeconds}
          busy={state.busy}
          alsoLogOutOfServer={state.alsoLogOutOfServer}
          onCopy={() => void controller.copyKey()}
          onAlsoLogOutOfServerChange={(value) => controller.setAlsoLogOutOfServer(value)}
          onSignOut={() => void controller.signOut()}
        />
      )}
      {state.view === 'result' && state.keyList && <KeyManager list={state.keyList} />}
      <ErrorAlert
        alert={state.alert}
        onGrantAccess={() => void controller.openGrantPage()}
        onAllowCleartext={() => void controller.allowCleartext()}
      />
      {state.view === 'form' && state.offerCreateAccount && (
        <CreateAccount
          nickname={state.form.nickname}
          busy={state.busy}
          onNicknameChange={(nickname) => controller.setField('nickname', nickname)}
          onSubmit={() => void controller.createAccount()}
        />
      )}
      {state.pasteShortcut !== null && (
        <PasteShortcut shortcut={state.pasteShortcut} settingsPage={SHORTCUT_SETTINGS_PAGE} />
      )}
      <footer class="footer">
        <button type="button" class="link" onClick={() => void controller.openOptions()}>
          {t('popupSettings')}
        </button>
      </footer>
    </main>
  );
}
