/**
 * The state holder behind a page's controller: the controller changes the state with `set`,
 * components read it through {@link useStoreState} and re-render on every change.
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
