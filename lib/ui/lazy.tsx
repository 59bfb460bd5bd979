import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A component whose code loads the first time it is rendered, so that a page pays at open only
 * for what it shows (the popup's budget, tests/e2e/bundle.e2e.test.ts). Until its chunk is in,
 * a few milliseconds from the extension's own files, it renders nothing.
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<void> | undefined;
  const preload = (): Promise<void> =>
    (pending ??= load().then(
      (component) => {
        loaded = component;
      },
      () => {
        // The file could not load (the extension was updated under an open page): the next
        // render tries again.
        pending = undefined;
      },
    ));
  function Lazy(props: P) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) void preload().then(() => setReady(true));
    }, []);
    const Component = loaded;
    return Component ? <Component {...props} /> : null;
  }
  return Object.assign(Lazy, { preload });
}
