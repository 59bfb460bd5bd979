import { t } from '../lib/i18n';
import type { OptionsController } from '../lib/options/controller';
import { useStoreState } from '../lib/ui/use-store-state';
import { PreferencesForm } from './PreferencesForm';
import { ServerForm } from './ServerForm';
import { ServerList } from './ServerList';
import { SettingsTransfer } from './SettingsTransfer';

interface OptionsAppProps {
  controller: OptionsController;
  clipboardAutoClearAvailable: boolean;
  uiLanguage: string;
}

/** The whole options page: servers, preferences, export and import. */
export function OptionsApp({ controller, clipboardAutoClearAvailable, uiLanguage }: OptionsAppProps) {
  const state = useStoreState(controller);
  const { editor } = state;

  return (
    <main class="page options" aria-busy={state.view === 'loading'}>
      <h1>{t('optionsHeading')}</h1>
      <div class="alert" role="alert">
        {state.alert && <p>{t(state.alert.messageKey, state.alert.substitutions)}</p>}
      </div>

      <section aria-labelledby="servers-heading">
        <h2 id="servers-heading">{t('optionsServers')}</h2>
        {state.removed && (
          <p class="removed" role="status">
            {t('optionsRemoved', [state.removed.server.name])}{' '}
            <button type="button" onClick={() => void controller.undoRemove()}>
              {t('optionsUndo')}
            </button>
          </p>
        )}
        {state.view === 'ready' && (
          <ServerList
            state={state}
            onGrant={(id) => void controller.grantAccess(id)}
            onTest={(id) => void controller.testConnection(id)}
            onEdit={(id) => controller.editServer(id)}
            onMakeDefault={(id) => void controller.makeDefault(id)}
            onRemove={(id) => void controller.removeServer(id)}
          />
        )}
        {editor ? (
          <ServerForm
            key={editor.serverId ?? 'new'}
            editing={editor.serverId !== undefined}
            draft={editor.draft}
            errors={editor.errors}
            onChange={(field, value) => controller.setDraftField(field, value)}
            onSave={() => void controller.saveServer()}
            onCancel={() => controller.cancelEdit()}
          />
        ) : (
          <button type="button" class="primary" onClick={() => controller.addServer()}>
            {t('optionsAddServer')}
          </button>
        )}
      </section>

      <PreferencesForm
        preferences={state.preferences}
        clipboardAutoClearAvailable={clipboardAutoClearAvailable}
        clipboardReadMissing={state.preferences.clipboardClearSeconds > 0 && state.clipboardReadGranted === false}
        uiLanguage={uiLanguage}
        onChange={(name, value) => void controller.setPreference(name, value)}
        pastesCleared={state.pastesCleared}
        onClearPastes={() => void controller.clearPastePlaces()}
      />

      <SettingsTransfer
        outcome={state.importOutcome}
        onExport={(includeKeyNotes) => void controller.exportSettings(includeKeyNotes)}
        onImport={(text) => void controller.importSettings(text)}
      />
    </main>
  );
}
