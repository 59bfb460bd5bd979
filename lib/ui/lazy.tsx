import { Component, type ComponentType } from 'preact';

/**
 * A component whose code loads the first time it is rendered, so that a page pays at open only
 * for what it shows (the popup's budget, tests/e2e/bundle.e2e.test.ts). Until its chunk is in,
 * a few milliseconds from the extension's own files, it renders nothing. A class: the popup
 * paints without preact/hooks.
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
  class Lazy extends Component<P> {
    private mounted = false;

    override componentDidMount(): void {
      this.mounted = true;
      if (!loaded) void preload().then(() => this.mounted && this.forceUpdate());
    }

    override componentWillUnmount(): void {
      this.mounted = false;
    }

    override render() {
      const Loaded = loaded;
      return Loaded ? <Loaded {...this.props} /> : null;
    }
  }
  return Object.assign(Lazy, { preload });
}
