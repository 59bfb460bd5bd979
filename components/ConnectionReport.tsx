import { t } from '../lib/i18n';
import type { ConnectionTestState } from '../lib/options/controller';
import type { ReleaseLine } from '../lib/ragflow/client';
import type { Generation } from '../lib/ragflow/routes';

const GENERATION_KEYS: Record<Generation, string> = {
  legacy: 'optionsGenerationLegacy',
  mixed: 'optionsGenerationMixed',
  restful: 'optionsGenerationRestful',
};

const RELEASE_KEYS: Record<Exclude<ReleaseLine, 'reported'>, string> = {
  'v0.22': 'optionsReleaseV022',
  'v0.23': 'optionsReleaseV023',
  'v0.24': 'optionsReleaseV024',
  'v0.25.0': 'optionsReleaseV0250',
  'v0.25.1': 'optionsReleaseV0251',
};

/** What "Test connection" found about one server, or why it could not reach it, in words. */
export function ConnectionReport({ test }: { test: ConnectionTestState | undefined }) {
  return (
    <div class="report" role="status" data-testid="connection-report">
      {test?.status === 'running' && <p>{t('optionsTesting')}</p>}
      {test?.status === 'done' && !test.result.ok && (
        <div class="alert">
          <p>
            {t('optionsUnreachable')} {t(test.result.error.messageKey, test.result.error.substitutions)}
          </p>
        </div>
      )}
      {test?.status === 'done' && test.result.ok && (
        <>
          <p class="success">{t('optionsReachable')}</p>
          <dl class="facts pairs">
            <dt>{t('optionsServerKind')}</dt>
            <dd data-testid="server-kind">{t(test.result.go ? 'optionsServerGo' : 'optionsServerPython')}</dd>
            <dt>{t('optionsGeneration')}</dt>
            <dd data-testid="generation">{t(GENERATION_KEYS[test.result.generation])}</dd>
            <dt>{t('optionsRelease')}</dt>
            <dd data-testid="release">
              {test.result.release === 'reported'
                ? (test.result.version ?? t('optionsVersionNotPublic'))
                : t(RELEASE_KEYS[test.result.release])}
            </dd>
            <dt>{t('optionsRegistration')}</dt>
            <dd>{test.result.registrationAllowed ? t('optionsAllowed') : t('optionsNotAllowed')}</dd>
            <dt>{t('optionsPasswordLogin')}</dt>
            <dd>{test.result.passwordLoginAllowed ? t('optionsAllowed') : t('optionsNotAllowed')}</dd>
            <dt>{t('optionsChannels')}</dt>
            <dd data-testid="channels">
              {test.result.channels.length > 0
                ? test.result.channels.map((channel) => channel.displayName).join(', ')
                : t('optionsChannelsNone')}
            </dd>
            <dt>{t('optionsRoundTrip')}</dt>
            <dd>{t('optionsMilliseconds', [String(test.result.roundTripMs)])}</dd>
          </dl>
        </>
      )}
    </div>
  );
}
