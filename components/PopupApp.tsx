import type { Translate } from '../lib/i18n';
import { SHORTCUT_SETTINGS_PAGE } from '../lib/paste/command';
import type { PopupController } from '../lib/popup/controller';
import { usePopupState } from '../lib/popup/use-popup-state';
import { CreateAccount } from './CreateAccount';
import { ErrorAlert } from './ErrorAlert';
import { KeyForm } from './KeyForm';
import { KeyResult } from './KeyResult';
import { PasteShortcut } from './PasteShortcut';
import { StepIndicator } from './StepIndicator';

/** The whole popup: the form or the key, the step and the alert. */
export function PopupApp({ t, controller }: { t: Translate; controller: PopupController }) {
  const state = usePopupState(controller);

  return (
    <main class="popup" aria-busy={state.view === 'loading'}>
      <h1>{t('extName')}</h1>
      {state.view === 'form' && (
        <>
          <KeyForm
            t={t}
            values={state.form}
            busy={state.busy}
            onChange={(field, value) => controller.setField(field, value)}
            onSubmit={() => void controller.submit()}
          />
          <StepIndicator t={t} step={state.step} />
        </>
      )}
      {state.view === 'result' && state.result && (
        <KeyResult
          t={t}
          result={state.result}
          copied={state.copied}
          busy={state.busy}
          alsoLogOutOfServer={state.alsoLogOutOfServer}
          onCopy={() => void controller.copyKey()}
          onAlsoLogOutOfServerChange={(value) => controller.setAlsoLogOutOfServer(value)}
          onSignOut={() => void controller.signOut()}
        />
      )}
      <ErrorAlert t={t} alert={state.alert} onGrantAccess={() => void controller.openGrantPage()} />
      {state.view === 'form' && state.offerCreateAccount && (
        <CreateAccount
          t={t}
          nickname={state.form.nickname}
          busy={state.busy}
          onNicknameChange={(nickname) => controller.setField('nickname', nickname)}
          onSubmit={() => void controller.createAccount()}
        />
      )}
      {state.pasteShortcut !== null && (
        <PasteShortcut t={t} shortcut={state.pasteShortcut} settingsPage={SHORTCUT_SETTINGS_PAGE} />
      )}
    </main>
  );
}
