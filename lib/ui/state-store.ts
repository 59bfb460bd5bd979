/**
 * The state holder behind a page's controller: the controller changes the state with `set`,
 * the options page's components read it through `useStoreState` and re-render on every change;
 * the popup is drawn again from its entry (entrypoints/popup/main.tsx).
 */
export class StateStore<S> {
  private readonly listeners = new Set<() => void>();

  constructor(protected state: S) {}

  getState(): S {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.listeners.clear();
  }

  protected set(patch: Partial<S>): void {
    this.replaceState({ ...this.state, ...patch });
  }

  /** The whole state at once: for a state that is a union, whose views have fields of their own. */
  protected replaceState(next: S): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/**
 * Draws a page from its store: now, and again after the store's changes, once per task as a
 * component's own state would be. For a page whose first view uses no hooks: the popup, which
 * then paints without reading preact/hooks.
 */
export function drawOnChange<S>(store: StateStore<S>, draw: (state: S) => void): void {
  let pending = false;
  store.subscribe(() => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      draw(store.getState());
    });
  });
  draw(store.getState());
}
