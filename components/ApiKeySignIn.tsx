import { Component } from 'preact';

import { t } from '../lib/i18n';
import { lazyComponent } from '../lib/ui/lazy';

const ApiKeySignInForm = lazyComponent(() => import('./ApiKeySignInForm').then((module) => module.ApiKeySignInForm));

export interface ApiKeySignInProps {
  apiKey: string;
  busy: boolean;
  onChange: (apiKey: string) => void;
  onSubmit: () => void;
}

/**
 * "Use an API key": sign in with a key the user already has, beside the password and the web
 * app's session. Folded away until asked, its form loaded then: most people sign in with the
 * form above. A class, as the popup's other first-view components: the popup paints without
 * preact/hooks.
 */
export class ApiKeySignIn extends Component<ApiKeySignInProps, { open: boolean }> {
  override state = { open: false };

  override render() {
    return (
      <details class="api-key-sign-in" onToggle={(event) => this.setState({ open: event.currentTarget.open })}>
        <summary>{t('apiKeySignInUse')}</summary>
        {this.state.open && <ApiKeySignInForm {...this.props} />}
      </details>
    );
  }
}
