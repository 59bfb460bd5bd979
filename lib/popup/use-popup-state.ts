import { useEffect, useState } from 'preact/hooks';

import type { PopupController, PopupState } from './controller';

/** Re-renders the calling component whenever the controller's state changes. */
export function usePopupState(controller: PopupController): PopupState {
  const [state, setState] = useState(() => controller.getState());
  useEffect(() => {
    const unsubscribe = controller.subscribe(() => setState(controller.getState()));
    // The state may have changed between the first render and this subscription.
    setState(controller.getState());
    return unsubscribe;
  }, [controller]);
  return state;
}
