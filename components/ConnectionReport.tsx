import type { Translate } from '../lib/i18n';
import type { ConnectionTestState } from '../lib/options/controller';
import type { Generation } from '../lib/ragflow/routes';

const GENERATION_KEYS: Record<Generation, string> = {
  legacy: 'optionsGenerationLegacy',
  mixed: 'optionsGenerationMixed',
  restful: 'optionsGenerationRestful',
};

/** What "Test connection" found about one server, or why it could not reach it. */
export function ConnectionReport({ t, test }: { t: Translate; test: ConnectionTestState | undefined }) {
  return (
    <div class="report" role="status" data-testid="connection-report">
      {test?.status === 'running' && <p>{t('optionsTesting')}</p>}
      {test?.status === 'done' && !test.result.ok && (
        <div class="alert">
          <p>
            {t('optionsUnreachable')} <code>{test.result.error.kind}</code>
          </p>
          <p>{t(test.result.error.messageKey, test.result.error.substitutions)}</p>
        </div>
      )}
      {test?.status === 'done' && test.result.ok && (
        <>
          <p class="success">{t('optionsReachable')}</p>
          <dl class="facts pairs">
            <dt>{t('optionsGeneration')}</dt>
            <dd>{t(GENERATION_KEYS[test.result.generation])}</dd>
            <dt>{t('optionsVersion')}</dt>
            <dd>{test.result.version ?? t('optionsVersionNotPublic')}</dd>
            <dt>{t('optionsRegistration')}</dt>
            <dd>{test.result.registrationAllowed ? t('optionsAllowed') : t('optionsNotAllowed')}</dd>
            <dt>{t('optionsPasswordLogin')}</dt>
            <dd>{test.result.passwordLoginAllowed ? t('optionsAllowed') : t('optionsNotAllowed')}</dd>
            <dt>{t('optionsRoundTrip')}</dt>
            <dd>{t('optionsMilliseconds', [String(test.result.roundTripMs)])}</dd>
          </dl>
        </>
      )}
    </div>
  );
}
