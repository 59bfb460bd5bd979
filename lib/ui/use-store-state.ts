import { useEffect, useState } from 'preact/hooks';

import type { StateStore } from './state-store';

/** Re-renders the calling component whenever the store's state changes. */
export function useStoreState<S>(store: StateStore<S>): S {
  const [state, setState] = useState(() => store.getState());
  useEffect(() => {
    const unsubscribe = store.subscribe(() => setState(store.getState()));
    // The state may have changed between the first render and this subscription.
    setState(store.getState());
    return unsubscribe;
  }, [store]);
  return state;
}
