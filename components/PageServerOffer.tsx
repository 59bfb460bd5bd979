import { t } from '../lib/i18n';
import type { PageOffer } from '../lib/popup/web-session';

interface PageServerOfferProps {
  offer: PageOffer;
  onCheck: () => void;
}

/**
 * First run over a page on a host the extension may not reach: the host, named, and a button to
 * check it. Nothing goes to that host before the click.
 */
export function PageServerOffer({ offer, onCheck }: PageServerOfferProps) {
  if (offer.notRagflow) {
    return (
      <p class="hint" data-testid="page-server-offer">
        {t('pageOfferNotRagflow', [offer.host])}
      </p>
    );
  }
  return (
    <section class="web-session" data-testid="page-server-offer">
      <p class="hint">{t('pageOfferQuestion', [offer.host])}</p>
      <button type="button" class="wide" disabled={offer.checking} onClick={onCheck}>
        {offer.checking ? t('pageOfferChecking', [offer.host]) : t('pageOfferCheck', [offer.host])}
      </button>
    </section>
  );
}
