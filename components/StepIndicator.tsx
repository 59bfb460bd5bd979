import { t } from '../lib/i18n';
import type { KeyFlowStep } from '../lib/messaging/protocol';

function stepText(step: KeyFlowStep): string {
  switch (step) {
    case 'connecting':
      return t('popupStepConnecting');
    case 'signing-in':
      return t('popupStepSigningIn');
    case 'creating-account':
      return t('popupStepCreatingAccount');
    case 'getting-key':
      return t('popupStepGettingKey');
    default: {
      const unknownStep: never = step;
      return String(unknownStep);
    }
  }
}

/** Names the step of the running key flow; a live region, so screen readers hear it too. */
export function StepIndicator({ step }: { step: KeyFlowStep | null }) {
  return (
    <p class="step" aria-live="polite" data-testid="step-indicator">
      {step && stepText(step)}
    </p>
  );
}
