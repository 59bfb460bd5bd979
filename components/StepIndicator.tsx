import { useLayoutEffect, useRef } from 'preact/hooks';

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

interface StepIndicatorProps {
  step: KeyFlowStep | null;
  /** Cancels the running flow; no Cancel button without it. */
  onCancel?: () => void;
}

/**
 * A running key flow, in place of the button that started it (same height: nothing moves): a
 * spinner that turns, the step in words, and Cancel, which takes the focus the button had. The
 * step is a live region, so screen readers hear each one.
 */
export function StepIndicator({ step, onCancel }: StepIndicatorProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);
  return (
    <div class="progress">
      <span class="spinner" aria-hidden="true" data-testid="spinner" />
      <span class="progress-step" role="status" aria-live="polite" data-testid="step-indicator">
        {step && stepText(step)}
      </span>
      {onCancel && (
        <button ref={cancelRef} type="button" onClick={onCancel}>
          {t('popupCancel')}
        </button>
      )}
    </div>
  );
}
