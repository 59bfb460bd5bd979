/**
 * Runs at most one task per key at a time: callers that arrive while it runs share its result.
 * Kept in memory on purpose: an in-flight flow dies with its service worker anyway, while
 * everything that must survive a restart is in storage.session.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current;
    const started = task().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
